package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.NibabelProcess;

/**
 * Files written by pydicom ({@code interop/pydicom_write_files.py} under {@code /usr/bin/python3})
 * read with {@link DicomParser}: attributes and pixel values must equal what the script wrote, and
 * the big-endian and JPEG files must be refused naming their syntax. Skipped, saying why, when
 * pydicom is not installed ({@code python3-pydicom}); the dcmdump comparison is skipped likewise
 * without {@code dcmtk}.
 */
class DicomPydicomInteropTest {
    @TempDir static Path dir;
    static JsonObject expected;

    @BeforeAll
    static void writeFiles() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(dir, "pydicom_write_files.py", List.of(dir.toString()));
        expected =
                JsonParser.parseString(Files.readString(dir.resolve("expected.json")))
                        .getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {"explicit_u16.dcm", "implicit_s16.dcm", "deflated_u8.dcm"})
    void readsPydicomFilesAsWritten(String name) throws IOException {
        JsonObject e = expected.getAsJsonObject(name);
        DicomFile file = new DicomParser().parse(dir.resolve(name));
        assertThat(file.transferSyntax().uid()).isEqualTo(e.get("transferSyntax").getAsString());
        assertThat(file.meta().string(DicomTags.TRANSFER_SYNTAX_UID))
                .hasValue(e.get("transferSyntax").getAsString());
        DicomDataset ds = file.dataset();
        assertThat(ds.string(DicomTags.SOP_CLASS_UID)).hasValue(str(e, "sopClassUid"));
        assertThat(ds.string(DicomTags.SOP_INSTANCE_UID)).hasValue(str(e, "sopInstanceUid"));
        assertThat(file.meta().string(DicomTags.MEDIA_STORAGE_SOP_INSTANCE_UID))
                .hasValue(str(e, "sopInstanceUid"));
        assertThat(ds.string(DicomTags.STUDY_INSTANCE_UID)).hasValue(str(e, "studyInstanceUid"));
        assertThat(ds.string(DicomTags.SERIES_INSTANCE_UID)).hasValue(str(e, "seriesInstanceUid"));
        assertThat(ds.string(DicomTags.FRAME_OF_REFERENCE_UID))
                .hasValue(str(e, "frameOfReferenceUid"));
        assertThat(ds.string(DicomTags.MODALITY)).hasValue(str(e, "modality"));
        assertThat(ds.string(DicomTags.PATIENT_ID)).hasValue(str(e, "patientId"));
        assertThat(ds.strings(DicomTags.IMAGE_TYPE))
                .containsExactlyElementsOf(strs(e, "imageType"));
        assertThat(ds.intValue(DicomTags.INSTANCE_NUMBER))
                .hasValue(e.get("instanceNumber").getAsInt());
        assertThat(ds.doubles(DicomTags.IMAGE_POSITION_PATIENT))
                .containsExactly(doubles(e, "imagePositionPatient"));
        assertThat(ds.doubles(DicomTags.IMAGE_ORIENTATION_PATIENT))
                .containsExactly(doubles(e, "imageOrientationPatient"));
        assertThat(ds.doubles(DicomTags.PIXEL_SPACING)).containsExactly(doubles(e, "pixelSpacing"));
        assertThat(ds.doubleValue(DicomTags.SLICE_THICKNESS))
                .hasValue(e.get("sliceThickness").getAsDouble());
        assertThat(ds.doubleValue(DicomTags.RESCALE_SLOPE))
                .hasValue(e.get("rescaleSlope").getAsDouble());
        assertThat(ds.doubleValue(DicomTags.RESCALE_INTERCEPT))
                .hasValue(e.get("rescaleIntercept").getAsDouble());
        assertThat(ds.intValue(DicomTags.BITS_ALLOCATED))
                .hasValue(e.get("bitsAllocated").getAsInt());
        assertThat(ds.intValue(DicomTags.BITS_STORED)).hasValue(e.get("bitsStored").getAsInt());
        assertThat(ds.intValue(DicomTags.PIXEL_REPRESENTATION))
                .hasValue(e.get("pixelRepresentation").getAsInt());
        assertThat(ds.intValue(DicomTags.SAMPLES_PER_PIXEL)).hasValue(1);
        assertThat(ds.string(DicomTags.PHOTOMETRIC_INTERPRETATION)).hasValue("MONOCHROME2");

        DicomPixels px = DicomPixels.of(file);
        int rows = e.get("rows").getAsInt();
        int columns = e.get("columns").getAsInt();
        int frames = e.get("frames").getAsInt();
        assertThat(new int[] {px.columns(), px.rows(), px.frames()})
                .containsExactly(columns, rows, frames);
        boolean signed = e.get("pixelRepresentation").getAsInt() == 1;
        assertThat(px.type())
                .isEqualTo(
                        e.get("bitsAllocated").getAsInt() == 8
                                ? VoxelType.UINT8
                                : signed ? VoxelType.INT16 : VoxelType.UINT16);
        JsonArray pixels = e.getAsJsonArray("pixels");
        assertThat(pixels.size()).isEqualTo(rows * columns * frames);
        List<Integer> actual = new ArrayList<>();
        List<Integer> wanted = new ArrayList<>();
        for (int f = 0, i = 0; f < frames; f++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < columns; x++, i++) {
                    actual.add(px.get(x, y, f));
                    wanted.add(pixels.get(i).getAsInt());
                }
            }
        }
        assertThat(actual).isEqualTo(wanted);

        if (e.has("referencedImages")) {
            List<DicomDataset> items = ds.sequence(DicomTags.REFERENCED_IMAGE_SEQUENCE);
            List<String> uids = new ArrayList<>();
            for (DicomDataset item : items) {
                uids.add(item.string(DicomTags.REFERENCED_SOP_INSTANCE_UID).orElseThrow());
                assertThat(item.string(DicomTags.REFERENCED_SOP_CLASS_UID))
                        .hasValue(str(e, "sopClassUid"));
            }
            assertThat(uids).containsExactlyElementsOf(strs(e, "referencedImages"));
            List<DicomDataset> nested = items.get(0).sequence(DicomTags.SOURCE_IMAGE_SEQUENCE);
            assertThat(nested).hasSize(1);
            assertThat(nested.get(0).string(DicomTags.REFERENCED_SOP_INSTANCE_UID))
                    .hasValue(str(e, "nestedReferencedImage"));
        }
        if (e.has("privateBytesHex")) {
            DicomElement priv = ds.element(0x00091010).orElseThrow();
            assertThat(priv.vr()).isEqualTo("UN");
            assertThat(java.util.HexFormat.of().formatHex(priv.bytes()))
                    .isEqualTo(str(e, "privateBytesHex"));
        }
    }

    @Test
    void refusesBigEndianAndJpegBaselineNamingTheSyntax() {
        assertThatThrownBy(() -> new DicomParser().parse(dir.resolve("big_endian.dcm")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("1.2.840.10008.1.2.2 (Explicit VR Big Endian (retired))")
                .hasMessageContaining("ask the PACS")
                .hasMessageContaining("Explicit VR Little Endian (1.2.840.10008.1.2.1)");
        assertThatThrownBy(() -> new DicomParser().parse(dir.resolve("jpeg_baseline.dcm")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1))")
                .hasMessageContaining("is not supported");
    }

    /** dcmtk's dcmdump, a third reader, shows the same values for the explicit VR file. */
    @Test
    void agreesWithDcmdump() throws IOException, InterruptedException {
        ExternalTools.assumeCommand("dcmdump", "dcmdump", "--version");
        Path file = dir.resolve("explicit_u16.dcm");
        Process p =
                new ProcessBuilder("dcmdump", "-q", "-M", "+L", file.toString())
                        .redirectErrorStream(true)
                        .start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(dump).isZero();
        DicomDataset ds = new DicomParser().parse(file).dataset();
        int[] textTags = {
            DicomTags.SOP_INSTANCE_UID,
            DicomTags.STUDY_INSTANCE_UID,
            DicomTags.SERIES_INSTANCE_UID,
            DicomTags.FRAME_OF_REFERENCE_UID,
            DicomTags.MODALITY,
            DicomTags.PATIENT_ID,
            DicomTags.IMAGE_TYPE,
            DicomTags.IMAGE_POSITION_PATIENT,
            DicomTags.IMAGE_ORIENTATION_PATIENT,
            DicomTags.PIXEL_SPACING,
            DicomTags.SLICE_THICKNESS,
            DicomTags.RESCALE_INTERCEPT,
            DicomTags.INSTANCE_NUMBER,
        };
        for (int tag : textTags) {
            assertThat(dumped(dump, tag))
                    .as(DicomTags.toString(tag))
                    .isEqualTo("[" + String.join("\\", ds.strings(tag)) + "]");
        }
        int[] numberTags = {
            DicomTags.ROWS, DicomTags.COLUMNS, DicomTags.BITS_ALLOCATED, DicomTags.BITS_STORED
        };
        for (int tag : numberTags) {
            assertThat(dumped(dump, tag))
                    .as(DicomTags.toString(tag))
                    .isEqualTo(String.valueOf(ds.intValue(tag).orElseThrow()));
        }
    }

    /** The value column of a top-level dcmdump line: {@code (gggg,eeee) VR value # ...}. */
    private static String dumped(String dump, int tag) {
        String prefix = DicomTags.toString(tag).toLowerCase(java.util.Locale.ROOT) + " ";
        return Stream.of(dump.split("\n"))
                .filter(line -> line.startsWith(prefix))
                .findFirst()
                .map(line -> line.substring(prefix.length() + 3, line.lastIndexOf('#')).strip())
                .orElseThrow(() -> new AssertionError("dcmdump shows no " + prefix + "\n" + dump));
    }

    private static String str(JsonObject e, String key) {
        return e.get(key).getAsString();
    }

    private static List<String> strs(JsonObject e, String key) {
        List<String> out = new ArrayList<>();
        e.getAsJsonArray(key).forEach(v -> out.add(v.getAsString()));
        return out;
    }

    private static double[] doubles(JsonObject e, String key) {
        JsonArray a = e.getAsJsonArray(key);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }
}
