package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.io.InvalidImageException;

/**
 * {@link DicomParser#parseHeader}: the attributes before the pixel data, from a prefix of the file
 * when they fit in it, else from the whole file; the same attributes as a full parse.
 */
class DicomHeaderParseTest {
    @TempDir Path dir;

    /**
     * A 200x200 16-bit image (80 KB of pixels), with {@code text} bytes of a private UN value
     * before them.
     */
    private static byte[] image(int text, String syntax) {
        DicomBytes d = new DicomBytes(true);
        d.string(DicomTags.SERIES_INSTANCE_UID, "UI", "1.2.3.4");
        d.string(DicomTags.IMAGE_POSITION_PATIENT, "DS", "1\\2\\3");
        char[] note = new char[text];
        Arrays.fill(note, 'x');
        d.string(0x00091010, "UN", new String(note)); // a private text, long enough to pass 64 KiB
        d.image(200, 200, 16, 0, new byte[200 * 200 * 2]);
        byte[] dataset = d.bytes();
        return DicomBytes.file(
                syntax,
                syntax.equals(DicomParserTest.DEFLATED) ? DicomBytes.deflate(dataset) : dataset);
    }

    @Test
    void readsTheAttributesWithoutThePixelData() throws IOException {
        for (int text : new int[] {10, 100_000}) { // inside the 64 KiB prefix, and beyond it
            for (String syntax :
                    new String[] {DicomParserTest.EXPLICIT, DicomParserTest.DEFLATED}) {
                Path file = Files.write(dir.resolve("f" + text + syntax), image(text, syntax));
                DicomDataset header = new DicomParser().parseHeader(file).dataset();
                DicomDataset full = new DicomParser().parse(file).dataset();
                assertThat(header.contains(DicomTags.PIXEL_DATA)).isFalse();
                assertThat(full.contains(DicomTags.PIXEL_DATA)).isTrue();
                assertThat(header.string(DicomTags.SERIES_INSTANCE_UID)).hasValue("1.2.3.4");
                assertThat(header.doubles(DicomTags.IMAGE_POSITION_PATIENT))
                        .containsExactly(1, 2, 3);
                assertThat(header.string(0x00091010).orElseThrow()).hasSize(text);
                assertThat(header.intValue(DicomTags.ROWS)).hasValue(200);
            }
        }
    }

    @Test
    void aBrokenHeaderIsStillRefused() throws IOException {
        byte[] file = image(10, DicomParserTest.EXPLICIT);
        Path truncated = Files.write(dir.resolve("t"), Arrays.copyOf(file, 150));
        assertThatThrownBy(() -> new DicomParser().parseHeader(truncated))
                .isInstanceOf(InvalidImageException.class);
        byte[] notDicom = file.clone();
        notDicom[128] = 'X';
        Path other = Files.write(dir.resolve("o"), notDicom);
        assertThatThrownBy(() -> new DicomParser().parseHeader(other))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("DICM");
    }
}
