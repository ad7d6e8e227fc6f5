package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.NibabelProcess;

/**
 * DICOM SEG interop: pydicom ({@code interop/pydicom_seg.py}) writes two CT series of 13 x 11
 * pixels (axial, and oblique), {@link DicomSeries} reads them, a known label (liver = 7, spleen =
 * 3, a tumour segment with no voxels, and value 9 that no segment names) is painted and written by
 * {@link DicomSegWriter}; dcmdump must read the SEG without a warning or error, and pydicom must
 * place every frame on the source slices (by SOP instance and by plane position, which must agree)
 * so that the segment numbers equal the painted voxels exactly; segment labels, colours, codes,
 * UIDs and patient attributes must be the ones given or copied. Skipped, saying why, without
 * pydicom or dcmtk.
 */
class DicomSegInteropTest {
    @TempDir static Path dir;
    static JsonObject series;

    static final Clock CLOCK =
            Clock.fixed(Instant.parse("2025-02-03T04:05:06.789Z"), ZoneOffset.UTC);

    @BeforeAll
    static void writeSeries() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(dir, "pydicom_seg.py", List.of("series", dir.toString()));
        series =
                JsonParser.parseString(Files.readString(dir.resolve("series.json")))
                        .getAsJsonObject();
    }

    static List<Path> files(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(name))) {
            return s.sorted().toList();
        }
    }

    static Volume image(String name) throws IOException {
        return new DicomSeries().read(files(name));
    }

    @SuppressWarnings("unchecked")
    static ReferencedSeries referenced(Volume image) {
        return ReferencedSeries.fromMap(
                (Map<String, ?>) image.metadata().get(ReferencedSeries.METADATA_KEY));
    }

    /**
     * The painted label: liver (7) on a sparse diagonal pattern on all but the last slice, spleen
     * (3) a box on slices 1 to 3, and one voxel of 9, which no segment stands for.
     */
    static Volume paint(Volume image) {
        Volume v = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
        for (int k = 0; k < v.sizeZ(); k++) {
            for (int y = 0; y < v.sizeY(); y++) {
                for (int x = 0; x < v.sizeX(); x++) {
                    int value = 0;
                    if (k < v.sizeZ() - 1 && (3 * x + 5 * y + k) % 4 == 0) {
                        value = 7;
                    }
                    if (k >= 1 && k <= 3 && x >= 2 && x <= 8 && y >= 3 && y <= 9) {
                        value = 3;
                    }
                    if (x == 12 && y == 10) {
                        value = 9;
                    }
                    v.set(v.index(x, y, k), value);
                }
            }
        }
        return v;
    }

    static final int SPLEEN_RGB = 0x2040C0;

    static List<Segment> segments() {
        return List.of(
                Segment.of(7, "liver"),
                Segment.of(3, "Spleen")
                        .withColor(SPLEEN_RGB)
                        .withAlgorithm(Segment.AlgorithmType.MANUAL, ""),
                Segment.of(5, "tumor"));
    }

    /** The painted label as the SEG's segment numbers: liver 1, spleen 2, the rest 0. */
    static int[] segmentNumbers(Volume label) {
        int[] out = new int[(int) label.voxelCount()];
        for (int i = 0; i < out.length; i++) {
            int v = (int) label.get(i);
            out[i] = v == 7 ? 1 : v == 3 ? 2 : 0;
        }
        return out;
    }

    static JsonObject pydicomRead(Path seg, String name) throws IOException, InterruptedException {
        Path out = seg.resolveSibling(seg.getFileName() + ".json");
        python("read", seg.toString(), dir.resolve(name).toString(), out.toString());
        return JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    }

    /** Runs a pydicom_seg.py command (in a folder of its own: the script is copied there). */
    static void python(String... args) throws IOException, InterruptedException {
        NibabelProcess.run(Files.createTempDirectory(dir, "py"), "pydicom_seg.py", List.of(args));
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    static List<String> strings(JsonElement a) {
        List<String> out = new ArrayList<>();
        a.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"axial", "oblique"})
    void pydicomAndDcmdumpReadOurSegOntoThePaintedVoxels(String name)
            throws IOException, InterruptedException {
        Volume image = image(name);
        ReferencedSeries ref = referenced(image);
        Volume label = paint(image);
        Path seg = dir.resolve(name + "-seg.dcm");
        DicomSegWriter.Written written =
                new DicomSegWriter(DicomSegWriter.Options.defaults().withClock(CLOCK))
                        .write(label, ref, segments(), seg);

        ExternalTools.assumeCommand("dcmdump", "dcmdump", "--version");
        String dump = DicomWriterTest.dcmdump(seg);
        assertThat(dump).contains("(0008,0060) CS [SEG]");

        JsonObject read = pydicomRead(seg, name);
        JsonObject s = series.getAsJsonObject(name);
        assertThat(ints(read.getAsJsonArray("labels"))).isEqualTo(segmentNumbers(label));

        // one frame per non-empty (segment, slice), by segment then slice
        List<List<Integer>> frames = new ArrayList<>();
        int[] numbers = segmentNumbers(label);
        int perSlice = label.sizeX() * label.sizeY();
        for (int segment = 1; segment <= 2; segment++) {
            for (int k = 0; k < label.sizeZ(); k++) {
                for (int p = 0; p < perSlice; p++) {
                    if (numbers[k * perSlice + p] == segment) {
                        frames.add(List.of(segment, k));
                        break;
                    }
                }
            }
        }
        List<List<Integer>> placed = new ArrayList<>();
        read.getAsJsonArray("frames")
                .forEach(
                        f ->
                                placed.add(
                                        List.of(
                                                f.getAsJsonArray().get(0).getAsInt(),
                                                f.getAsJsonArray().get(1).getAsInt())));
        assertThat(placed).isEqualTo(frames);
        assertThat(read.get("number_of_frames").getAsInt())
                .isEqualTo(frames.size())
                .isEqualTo(written.frames());
        List<List<Integer>> dimensions = new ArrayList<>();
        read.getAsJsonArray("dimension_index_values")
                .forEach(
                        f ->
                                dimensions.add(
                                        List.of(
                                                f.getAsJsonArray().get(0).getAsInt(),
                                                f.getAsJsonArray().get(1).getAsInt())));
        assertThat(dimensions)
                .isEqualTo(frames.stream().map(f -> List.of(f.get(0), f.get(1) + 1)).toList());

        assertThat(read.get("bits_allocated").getAsInt()).isEqualTo(1);
        assertThat(read.get("segmentation_type").getAsString()).isEqualTo("BINARY");
        assertThat(read.get("modality").getAsString()).isEqualTo("SEG");
        assertThat(strings(read.get("image_type"))).containsExactly("DERIVED", "PRIMARY");
        assertThat(read.get("sop_instance_uid").getAsString()).isEqualTo(written.sopInstanceUid());
        assertThat(read.get("series_instance_uid").getAsString())
                .isEqualTo(written.seriesInstanceUid())
                .isNotEqualTo(s.get("series_instance_uid").getAsString());
        assertThat(read.get("study_instance_uid").getAsString())
                .isEqualTo(s.get("study_instance_uid").getAsString());
        assertThat(read.get("frame_of_reference_uid").getAsString())
                .isEqualTo(s.get("frame_of_reference_uid").getAsString());
        assertThat(read.get("referenced_series_instance_uid").getAsString())
                .isEqualTo(s.get("series_instance_uid").getAsString());
        assertThat(strings(read.get("referenced_instances")))
                .isEqualTo(strings(s.get("sop_instance_uids")));
        assertThat(read.getAsJsonObject("attributes")).isEqualTo(s.getAsJsonObject("attributes"));
        assertThat(read.get("specific_character_set").getAsString()).isEqualTo("ISO_IR 100");

        JsonArray segs = read.getAsJsonArray("segments");
        assertThat(segs.size()).isEqualTo(3);
        assertSegment(
                segs.get(0),
                1,
                "liver",
                Segment.defaultColor(7),
                "AUTOMATIC",
                "MONAI Label",
                List.of("123037004", "SCT", "Anatomical Structure"),
                List.of("10200004", "SCT", "Liver"));
        assertSegment(
                segs.get(1),
                2,
                "Spleen",
                SPLEEN_RGB,
                "MANUAL",
                "",
                List.of("123037004", "SCT", "Anatomical Structure"),
                List.of("78961009", "SCT", "Spleen"));
        assertSegment(
                segs.get(2),
                3,
                "tumor",
                Segment.defaultColor(5),
                "AUTOMATIC",
                "MONAI Label",
                List.of("49755003", "SCT", "Morphologically Abnormal Structure"),
                List.of("108369006", "SCT", "Neoplasm"));
    }

    private static void assertSegment(
            JsonElement e,
            int number,
            String label,
            int rgb,
            String algorithmType,
            String algorithmName,
            List<String> category,
            List<String> type) {
        JsonObject o = e.getAsJsonObject();
        assertThat(o.get("number").getAsInt()).isEqualTo(number);
        assertThat(o.get("label").getAsString()).isEqualTo(label);
        assertThat(ints(o.getAsJsonArray("rgb")))
                .as("colour of %s (CIELab %s)", label, o.get("lab"))
                .containsExactly((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
        assertThat(o.get("algorithm_type").getAsString()).isEqualTo(algorithmType);
        assertThat(o.get("algorithm_name").getAsString()).isEqualTo(algorithmName);
        assertThat(strings(o.get("category"))).isEqualTo(category);
        assertThat(strings(o.get("type"))).isEqualTo(type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"axial"})
    void anEmptyLabelMakesAValidSegOfOneEmptyFrame(String name)
            throws IOException, InterruptedException {
        Volume image = image(name);
        Volume label = Volume.allocate(VoxelType.INT16, image.affine(), image.shape());
        Path seg = dir.resolve("empty-seg.dcm");
        DicomSegWriter.Written written =
                new DicomSegWriter().write(label, referenced(image), segments(), seg);
        assertThat(written.frames()).isEqualTo(1);
        ExternalTools.assumeCommand("dcmdump", "dcmdump", "--version");
        DicomWriterTest.dcmdump(seg);
        JsonObject read = pydicomRead(seg, name);
        assertThat(read.get("number_of_frames").getAsInt()).isEqualTo(1);
        assertThat(ints(read.getAsJsonArray("labels"))).containsOnly(0);
        assertThat(read.getAsJsonArray("frames").get(0).getAsJsonArray().get(0).getAsInt())
                .isEqualTo(1);
    }

    /** The painted label as the output of a reader given liver 1 -> 7, spleen 2 -> 3: no 9s. */
    static int[] paintedSegments(Volume label) {
        int[] out = new int[(int) label.voxelCount()];
        for (int i = 0; i < out.length; i++) {
            int v = (int) label.get(i);
            out[i] = v == 7 || v == 3 ? v : 0;
        }
        return out;
    }

    static int[] voxels(Volume v) {
        int[] out = new int[(int) v.voxelCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) v.get(i);
        }
        return out;
    }

    static final Map<Integer, Integer> LIVER_SPLEEN = Map.of(1, 7, 2, 3);

    @ParameterizedTest
    @ValueSource(strings = {"axial", "oblique"})
    void ourReaderReadsOurSegBackVoxelForVoxel(String name) throws IOException {
        Volume image = image(name);
        ReferencedSeries ref = referenced(image);
        Volume label = paint(image);
        DicomFile seg =
                new DicomParser().parse(new DicomSegWriter().toBytes(label, ref, segments()));
        VolumeGrid grid = VolumeGrid.of(image);

        DicomSegReader.Result numbers = new DicomSegReader().read(seg, grid, ref);
        assertThat(numbers.labels().shape()).isEqualTo(image.shape());
        assertThat(numbers.labels().affine()).isEqualTo(image.affine());
        assertThat(voxels(numbers.labels())).isEqualTo(segmentNumbers(label));
        assertThat(numbers.labelNames())
                .containsExactly(
                        Map.entry(1, "liver"), Map.entry(2, "Spleen"), Map.entry(3, "tumor"));

        Map<Integer, Integer> values = Map.of(1, 7, 2, 3, 3, 5);
        DicomSegReader.Result mapped = new DicomSegReader().read(seg, grid, null, values);
        assertThat(voxels(mapped.labels())).isEqualTo(paintedSegments(label));
        assertThat(mapped.segments()).isEqualTo(segments());
        assertThat(mapped.labels().metadata().get("labels"))
                .isEqualTo(Map.of("liver", 7, "Spleen", 3, "tumor", 5));

        // a segment left out of the map is left out of the label
        DicomSegReader.Result liverOnly = new DicomSegReader().read(seg, grid, ref, Map.of(1, 1));
        int[] want = segmentNumbers(label);
        for (int i = 0; i < want.length; i++) {
            want[i] = want[i] == 1 ? 1 : 0;
        }
        assertThat(voxels(liverOnly.labels())).isEqualTo(want);
        assertThat(liverOnly.labelNames()).containsExactly(Map.entry(1, "liver"));
    }

    /** Writes the painted label for pydicom_seg.py write and runs it; returns its folder. */
    static Path pydicomSegs(String name, Volume label) throws IOException, InterruptedException {
        Path out = dir.resolve(name + "-pydicom");
        if (!Files.isDirectory(out)) {
            Files.createDirectories(out);
            byte[] raw = new byte[(int) label.voxelCount()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) label.get(i);
            }
            Path rawFile = out.resolve("label.raw");
            Files.write(rawFile, raw);
            python("write", dir.resolve(name).toString(), rawFile.toString(), out.toString());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"axial", "oblique"})
    void readsSegsPydicomWroteAsHighdicomWould(String name)
            throws IOException, InterruptedException {
        Volume image = image(name);
        ReferencedSeries ref = referenced(image);
        Volume label = paint(image);
        Path segs = pydicomSegs(name, label);
        VolumeGrid grid = VolumeGrid.of(image);
        DicomSegReader reader = new DicomSegReader();
        DicomParser parser = new DicomParser();
        for (String file : List.of("perframe.dcm", "fractional.dcm", "nopositions.dcm")) {
            DicomFile seg = parser.parse(segs.resolve(file));
            DicomSegReader.Result r = reader.read(seg, grid, ref, LIVER_SPLEEN);
            assertThat(voxels(r.labels())).as(file).isEqualTo(paintedSegments(label));
            assertThat(r.labels().affine()).isEqualTo(image.affine());
            assertThat(r.labelNames())
                    .containsExactly(Map.entry(7, "liver"), Map.entry(3, "spleen"));
            assertThat(r.segments().get(0).type())
                    .isEqualTo(new Segment.Code("10200004", "SCT", "Liver"));
            assertThat(r.segments().get(1).algorithmType()).isEqualTo(Segment.AlgorithmType.MANUAL);
        }
        assertThat(parser.parse(segs.resolve("perframe.dcm")).transferSyntax())
                .isEqualTo(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
        // without the series, a frame with no plane position cannot be placed
        DicomFile noPositions = parser.parse(segs.resolve("nopositions.dcm"));
        assertThatThrownBy(() -> reader.read(noPositions, grid, null))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("frame 1 (segment 1) has no plane position")
                .hasMessageContaining("no source series was given");
    }

    @ParameterizedTest
    @ValueSource(strings = {"axial", "oblique"})
    void refusesDamagedSegsSayingWhy(String name) throws IOException, InterruptedException {
        Volume image = image(name);
        ReferencedSeries ref = referenced(image);
        Path segs = pydicomSegs(name, paint(image));
        VolumeGrid grid = VolumeGrid.of(image);
        assertRefused(segs.resolve("short.dcm"), grid, ref, "PixelData holds", "need");
        assertRefused(
                segs.resolve("offgrid.dcm"),
                grid,
                ref,
                "frame 1 (segment 1)",
                "lies between the image's slices");
        assertRefused(
                segs.resolve("inplane.dcm"),
                grid,
                ref,
                "frame 2",
                "offset within the image plane by 1.500 columns");
        assertRefused(
                segs.resolve("rotated.dcm"),
                grid,
                ref,
                "has ImageOrientationPatient",
                "only onto the grid it was drawn on");
        assertRefused(
                segs.resolve("framecount.dcm"),
                grid,
                ref,
                "NumberOfFrames is",
                "but PerFrameFunctionalGroupsSequence has");
        // onto the other series: another frame of reference, and another orientation
        String other = name.equals("axial") ? "oblique" : "axial";
        Volume otherImage = image(other);
        assertRefused(
                segs.resolve("perframe.dcm"),
                grid,
                referenced(otherImage),
                "FrameOfReferenceUID",
                "cannot be compared");
        assertRefused(
                segs.resolve("perframe.dcm"),
                VolumeGrid.of(otherImage),
                null,
                "ImageOrientationPatient",
                "drawn on");
        // a grid one slice shorter: a frame lands outside it
        VolumeGrid shorter =
                new VolumeGrid(grid.columns(), grid.rows(), grid.slices() - 1, grid.affine());
        assertRefused(
                segs.resolve("perframe.dcm"),
                shorter,
                null,
                "outside the image's " + (grid.slices() - 1) + " slices");
        // not a SEG at all
        assertRefused(files(name).get(0), grid, ref, "Not a DICOM Segmentation");
    }

    private static void assertRefused(
            Path file, VolumeGrid grid, ReferencedSeries ref, String... messages) {
        var thrown =
                assertThatThrownBy(
                                () ->
                                        new DicomSegReader()
                                                .read(new DicomParser().parse(file), grid, ref))
                        .as(file.getFileName().toString())
                        .isInstanceOf(InvalidImageException.class);
        for (String m : messages) {
            thrown.hasMessageContaining(m);
        }
    }
}
