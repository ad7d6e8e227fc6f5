package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.NibabelProcess;

/**
 * Series written by pydicom ({@code interop/pydicom_write_series.py}, slices in shuffled order)
 * assembled with {@link DicomSeries}: shape, voxel type, rescaled values and the RAS affine must
 * equal what the script computed with numpy; a missing slice, a slice of another orientation or
 * size must be refused. Skipped, saying why, without pydicom.
 */
class DicomSeriesTest {
    @TempDir static Path dir;
    static JsonObject expected;

    @BeforeAll
    static void writeSeries() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(dir, "pydicom_write_series.py", List.of(dir.toString()));
        expected =
                JsonParser.parseString(Files.readString(dir.resolve("series.json")))
                        .getAsJsonObject();
    }

    private static List<Path> files(String series) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(series))) {
            return s.sorted().toList();
        }
    }

    @Test
    void assemblesAnObliqueSeriesWrittenInShuffledOrder() throws IOException {
        assertSeries("oblique", VoxelType.INT16);
    }

    @Test
    void keepsAGantryTiltedSeriesOnItsExactShearedGrid() throws IOException {
        assertSeries("gantry", VoxelType.INT16);
    }

    @Test
    void appliesAFractionalRescaleAsFloat32() throws IOException {
        assertSeries("scaled", VoxelType.FLOAT32);
    }

    private static void assertSeries(String name, VoxelType type) throws IOException {
        JsonObject e = expected.getAsJsonObject(name);
        Volume v = new DicomSeries().read(files(name));
        assertThat(v.type()).isEqualTo(type);
        JsonArray shape = e.getAsJsonArray("shape");
        assertThat(v.shape())
                .containsExactly(
                        shape.get(0).getAsInt(), shape.get(1).getAsInt(), shape.get(2).getAsInt());
        double[][] rows = new double[4][4];
        JsonArray affine = e.getAsJsonArray("affine");
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                rows[r][c] = affine.get(r).getAsJsonArray().get(c).getAsDouble();
            }
        }
        assertThat(v.affine().approximatelyEquals(Affine.of(rows), 1e-6))
                .as("affine %s, expected %s", v.affine(), Affine.of(rows))
                .isTrue();
        JsonArray values = e.getAsJsonArray("values");
        assertThat(values.size()).isEqualTo((int) v.voxelCount());
        for (int i = 0; i < values.size(); i++) {
            assertThat(v.get(i)).as("voxel %d", i).isEqualTo(values.get(i).getAsDouble());
        }
        assertThat(v.metadata())
                .containsEntry("format", "dicom")
                .containsEntry("dicom.modality", "CT");
        @SuppressWarnings("unchecked")
        ReferencedSeries ref =
                ReferencedSeries.fromMap(
                        (java.util.Map<String, ?>) v.metadata().get(ReferencedSeries.METADATA_KEY));
        List<String> uids = new java.util.ArrayList<>();
        e.getAsJsonArray("sop_instance_uids").forEach(u -> uids.add(u.getAsString()));
        assertThat(ref.sopInstanceUids()).as("SOP instances in slice order").isEqualTo(uids);
        assertThat(ref.seriesInstanceUid())
                .isEqualTo(v.metadata().get("dicom.series_instance_uid"));
        assertThat(ref.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(ref.grid()).isEqualTo(VolumeGrid.of(v));
        assertThat(ref.patientStudy()).isEqualTo(ReferencedSeries.PatientStudy.empty());
    }

    @Test
    void refusesAMissingSlice() {
        assertThatThrownBy(() -> new DicomSeries().read(files("missing")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("slice spacing is uneven")
                .hasMessageContaining("a missing slice");
    }

    @Test
    void refusesMixedOrientation() {
        assertThatThrownBy(() -> new DicomSeries().read(files("tilted")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("differ in ImageOrientationPatient");
    }

    @Test
    void refusesMixedSize() {
        assertThatThrownBy(() -> new DicomSeries().read(files("resized")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("differ in size or pixel format");
    }

    @Test
    void refusesDuplicateSlicesAndSeriesMixes() throws IOException {
        DicomParser parser = new DicomParser();
        List<Path> oblique = files("oblique");
        DicomFile a = parser.parse(oblique.get(0));
        assertThatThrownBy(() -> new DicomSeries().assemble(List.of(a, a)))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("lie at one position");
        DicomFile b = parser.parse(oblique.get(1));
        DicomFile other = parser.parse(files("scaled").get(0));
        assertThatThrownBy(() -> new DicomSeries().assemble(List.of(a, b, a)))
                .hasMessageContaining("same position");
        assertThatThrownBy(() -> new DicomSeries().assemble(List.of(a, other)))
                .hasMessageContaining("instances of two series");
        assertThatThrownBy(() -> new DicomSeries().assemble(List.of()))
                .hasMessageContaining("at least one instance");
    }
}
