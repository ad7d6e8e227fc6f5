package org.monailabel.engine.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DicomJson} on DICOM JSON as PS3.18 annex F.2 writes it (the examples' shapes, and what
 * Orthanc answers): text, numbers as JSON numbers and as strings, person names, nested sequences,
 * bulk data references and empty values.
 */
class DicomJsonTest {
    private static final String SERIES =
            "[{"
                    + "\"00080060\": {\"vr\": \"CS\", \"Value\": [\"CT\"]},"
                    + "\"00100010\": {\"vr\": \"PN\", \"Value\": [{\"Alphabetic\": \"Doe^Jane\"}]},"
                    + "\"00201209\": {\"vr\": \"IS\", \"Value\": [4]},"
                    + "\"00280030\": {\"vr\": \"DS\", \"Value\": [0.5, \"0.75\"]},"
                    + "\"00280010\": {\"vr\": \"US\", \"Value\": [512]},"
                    + "\"00200013\": {\"vr\": \"IS\", \"Value\": [\"12\"]},"
                    + "\"0008103E\": {\"vr\": \"LO\"},"
                    + "\"00080008\": {\"vr\": \"CS\", \"Value\": [\"ORIGINAL\", null, \"AXIAL\"]},"
                    + "\"7FE00010\": {\"vr\": \"OW\", \"BulkDataURI\": \"http://pacs/bulk/1\"},"
                    + "\"00081115\": {\"vr\": \"SQ\", \"Value\": [{"
                    + "  \"0020000E\": {\"vr\": \"UI\", \"Value\": [\"1.2.3\"]},"
                    + "  \"0008114A\": {\"vr\": \"SQ\", \"Value\": [{"
                    + "    \"00081155\": {\"vr\": \"UI\", \"Value\": [\"1.2.3.4\"]}}]}}]}"
                    + "}, {}]";

    @Test
    void readsValuesOfEveryKind() throws IOException {
        List<DicomJson> all = DicomJson.parseArray(SERIES);
        assertThat(all).hasSize(2);
        DicomJson ds = all.get(0);
        assertThat(ds.string(0x00080060)).contains("CT");
        assertThat(ds.vr(0x00080060)).contains("CS");
        assertThat(ds.string(0x00100010)).contains("Doe^Jane");
        assertThat(ds.intValue(0x00201209)).hasValue(4);
        assertThat(ds.string(0x00201209)).contains("4");
        assertThat(ds.strings(0x00280030)).containsExactly("0.5", "0.75");
        assertThat(ds.ints(0x00280010)).containsExactly(512);
        assertThat(ds.intValue(0x00200013)).hasValue(12);
        assertThat(ds.contains(0x0008103E)).isTrue();
        assertThat(ds.string(0x0008103E)).isEmpty();
        assertThat(ds.strings(0x00080008)).containsExactly("ORIGINAL", "", "AXIAL");
        assertThat(ds.attribute(0x7FE00010).orElseThrow().bulkDataUri())
                .isEqualTo("http://pacs/bulk/1");
        assertThat(ds.attribute(0x7FE00010).orElseThrow().values()).isEmpty();
        List<DicomJson> referenced = ds.sequence(0x00081115);
        assertThat(referenced).hasSize(1);
        assertThat(referenced.get(0).string(0x0020000E)).contains("1.2.3");
        assertThat(referenced.get(0).sequence(0x0008114A).get(0).string(0x00081155))
                .contains("1.2.3.4");
        assertThat(ds.string(0x00081115)).as("a sequence has no text value").isEmpty();
        assertThat(ds.string(0x00100020)).isEmpty();
        assertThat(ds.sequence(0x00100020)).isEmpty();
        assertThat(ds.tags()).first().isEqualTo(0x00080008);
        assertThat(ds.tags()).last().isEqualTo(0x7FE00010);
        assertThat(all.get(1).tags()).isEmpty();
    }

    @Test
    void anEmptyAnswerIsNoDatasetsAndMalformedJsonIsRefused() throws IOException {
        assertThat(DicomJson.parseArray("")).isEmpty();
        assertThat(DicomJson.parseArray("[]")).isEmpty();
        assertThatThrownBy(() -> DicomJson.parseArray("{}")).hasMessageContaining("array");
        assertThatThrownBy(() -> DicomJson.parseArray("[{\"0008\": {\"vr\": \"CS\"}}]"))
                .hasMessageContaining("8-digit tag");
        assertThatThrownBy(() -> DicomJson.parseArray("[{\"00080060\": \"CT\"}]"))
                .hasMessageContaining("not an object");
        assertThatThrownBy(() -> DicomJson.parseArray("[{")).isInstanceOf(IOException.class);
    }
}
