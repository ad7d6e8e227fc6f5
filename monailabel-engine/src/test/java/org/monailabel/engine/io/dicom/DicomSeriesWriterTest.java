package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.NibabelProcess;

/**
 * {@link DicomSeriesWriter}: an oblique 13 x 11 x 5 INT16 volume written as CT slices is read back
 * by pydicom ({@code interop/pydicom_read_series.py}: values, geometry computed with numpy, UIDs
 * and patient attributes must be the volume's and the options') and by our {@link DicomSeries} (the
 * same affine and voxels); dcmdump reads a slice without a warning.
 */
class DicomSeriesWriterTest {
    @TempDir Path dir;

    static final ReferencedSeries.PatientStudy PATIENT =
            new ReferencedSeries.PatientStudy(
                    "M\u00fcller^J\u00f6rg",
                    "PID-9",
                    "19800203",
                    "M",
                    "20250101",
                    "0930",
                    "ST1",
                    "ACC-1",
                    "",
                    "Phantom",
                    "ISO_IR 100");

    /**
     * An oblique grid: rows and columns rotated 25 degrees about (1, 1, 1), right-handed in LPS.
     */
    static Affine obliqueAffine() {
        double a = Math.toRadians(25);
        double c = Math.cos(a);
        double s = Math.sin(a);
        double t = 1 - c;
        double u = 1 / Math.sqrt(3);
        double[][] r = {
            {c + u * u * t, u * u * t - u * s, u * u * t + u * s},
            {u * u * t + u * s, c + u * u * t, u * u * t - u * s},
            {u * u * t - u * s, u * u * t + u * s, c + u * u * t}
        };
        double[] spacing = {0.7, 0.9, 2.5};
        double[] origin = {12.5, -40, 7.75};
        double[] m = new double[16];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i * 4 + j] = r[i][j] * spacing[j];
            }
            m[i * 4 + 3] = origin[i];
        }
        m[15] = 1;
        return Affine.of(m).flipXY(); // the LPS grid above, as RAS
    }

    static Volume volume(VoxelType type, int min, int max) {
        Volume v = Volume.allocate(type, obliqueAffine(), 13, 11, 5);
        Random random = new Random(11);
        for (int i = 0; i < v.voxelCount(); i++) {
            v.set(i, min + random.nextInt(max - min + 1));
        }
        return v;
    }

    static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    @Test
    void pydicomReadsTheVolumeBack() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        Volume v = volume(VoxelType.INT16, -1024, 3071);
        Path ct = dir.resolve("ct");
        ReferencedSeries ref =
                new DicomSeriesWriter(
                                DicomSeriesWriter.Options.of(PATIENT)
                                        .withStudy("1.2.826.0.1.3680043.8.498.77", "")
                                        .withSeries("written", 4))
                        .write(v, ct);
        Path json = dir.resolve("read.json");
        NibabelProcess.run(
                Files.createDirectory(dir.resolve("py")),
                "pydicom_read_series.py",
                List.of(ct.toString(), json.toString()));
        JsonObject read = JsonParser.parseString(Files.readString(json)).getAsJsonObject();

        JsonArray shape = read.getAsJsonArray("shape");
        assertThat(
                        List.of(
                                shape.get(0).getAsInt(),
                                shape.get(1).getAsInt(),
                                shape.get(2).getAsInt()))
                .containsExactly(13, 11, 5);
        double[][] rows = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                rows[r][c] =
                        read.getAsJsonArray("affine").get(r).getAsJsonArray().get(c).getAsDouble();
            }
        }
        assertThat(Affine.of(rows).approximatelyEquals(v.affine(), 1e-9))
                .as("pydicom's affine %s, the volume's %s", Affine.of(rows), v.affine())
                .isTrue();
        JsonArray values = read.getAsJsonArray("values");
        assertThat(values.size()).isEqualTo((int) v.voxelCount());
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i).getAsDouble()).as("voxel %d", i).isEqualTo(v.get(i));
        }
        List<String> uids = new ArrayList<>();
        read.getAsJsonArray("sop_instance_uids").forEach(e -> uids.add(e.getAsString()));
        assertThat(uids).isEqualTo(ref.sopInstanceUids());
        List<Integer> numbers = new ArrayList<>();
        read.getAsJsonArray("instance_numbers").forEach(e -> numbers.add(e.getAsInt()));
        assertThat(numbers).containsExactly(1, 2, 3, 4, 5);
        assertThat(read.get("slice_thickness").getAsDouble())
                .isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(read.get("pixel_representation").getAsInt()).isEqualTo(1);
        assertThat(read.get("rescale_type").getAsString()).isEqualTo("HU");
        assertThat(read.get("SOPClassUID").getAsString())
                .isEqualTo(DicomSeriesWriter.CT_IMAGE_STORAGE);
        assertThat(read.get("Modality").getAsString()).isEqualTo("CT");
        assertThat(read.get("StudyInstanceUID").getAsString())
                .isEqualTo("1.2.826.0.1.3680043.8.498.77")
                .isEqualTo(ref.studyInstanceUid());
        assertThat(read.get("SeriesInstanceUID").getAsString()).isEqualTo(ref.seriesInstanceUid());
        assertThat(read.get("FrameOfReferenceUID").getAsString())
                .isEqualTo(ref.frameOfReferenceUid());
        assertThat(DicomUids.isValid(ref.frameOfReferenceUid())).isTrue();
        assertThat(read.get("SeriesDescription").getAsString()).isEqualTo("written");
        Map<String, String> attributes = PATIENT.toMap();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            assertThat(read.get(e.getKey()).getAsString()).as(e.getKey()).isEqualTo(e.getValue());
        }

        ExternalTools.assumeCommand("dcmdump", "dcmdump", "--version");
        DicomWriterTest.dcmdump(files(ct).get(2));
    }

    @Test
    void ourSeriesReaderReadsTheSameAffineAndVoxels() throws IOException {
        for (VoxelType type : List.of(VoxelType.INT16, VoxelType.UINT16, VoxelType.UINT8)) {
            Volume v =
                    type == VoxelType.UINT16
                            ? volume(type, 0, 65535)
                            : type == VoxelType.UINT8
                                    ? volume(type, 0, 255)
                                    : volume(type, -32768, 32767);
            Path ct = dir.resolve("ct-" + type.wireName());
            ReferencedSeries ref =
                    new DicomSeriesWriter(DicomSeriesWriter.Options.of(PATIENT)).write(v, ct);
            Volume back = new DicomSeries().read(files(ct));
            assertThat(back.affine().approximatelyEquals(v.affine(), 1e-9))
                    .as("%s: read %s, wrote %s", type, back.affine(), v.affine())
                    .isTrue();
            assertThat(back.shape()).isEqualTo(v.shape());
            for (int i = 0; i < v.voxelCount(); i++) {
                assertThat(back.get(i)).as("%s voxel %d", type, i).isEqualTo(v.get(i));
            }
            @SuppressWarnings("unchecked")
            ReferencedSeries readRef =
                    ReferencedSeries.fromMap(
                            (Map<String, ?>) back.metadata().get(ReferencedSeries.METADATA_KEY));
            assertThat(readRef.sopInstanceUids()).isEqualTo(ref.sopInstanceUids());
            assertThat(readRef.patientStudy()).isEqualTo(PATIENT);
            assertThat(readRef.frameOfReferenceUid()).isEqualTo(ref.frameOfReferenceUid());
            assertThat(readRef.grid().matches(ref.grid())).isTrue();
        }
    }

    @Test
    void refusesWhatSixteenBitCtCannotHold() {
        DicomSeriesWriter w = new DicomSeriesWriter(DicomSeriesWriter.Options.of(PATIENT));
        assertThatThrownBy(() -> w.write(volume(VoxelType.FLOAT32, 0, 1), dir.resolve("f")))
                .hasMessageContaining("integer volume, not FLOAT32");
        Volume wide = volume(VoxelType.INT32, 0, 100);
        wide.set(0, -1);
        wide.set(1, 40000); // fits neither signed nor unsigned 16 bits
        assertThatThrownBy(() -> w.write(wide, dir.resolve("i")))
                .hasMessageContaining("Values -1.0..40000.0 do not fit 16-bit CT pixels");
        Volume sheared =
                Volume.allocate(
                        VoxelType.INT16,
                        Affine.of(1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1),
                        2,
                        2,
                        2);
        assertThatThrownBy(() -> w.write(sheared, dir.resolve("s")))
                .hasMessageContaining("not perpendicular");
        assertThatThrownBy(() -> DicomSeriesWriter.Options.of(PATIENT).withStudy("1.02", ""))
                .hasMessageContaining("StudyInstanceUID '1.02' is not a valid DICOM UID");
    }
}
