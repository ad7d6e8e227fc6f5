package org.monailabel.engine.io.nrrd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.TestFiles;
import org.monailabel.engine.io.TestVolumes;
import org.monailabel.engine.io.WriteOptions;

class NrrdRoundTripTest {
    @TempDir Path dir;

    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (VoxelType type : VoxelType.values()) {
            out.add(Arguments.of(type, true));
            out.add(Arguments.of(type, false));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} gzip={1}")
    @MethodSource("variants")
    void roundTripsObliqueFlippedNonUnitVolume(VoxelType type, boolean gzip) throws IOException {
        Volume volume =
                TestVolumes.random(type, TestVolumes.oblique(), ByteOrder.BIG_ENDIAN, 9, 7, 5, 3);
        Path file = dir.resolve("v.nrrd");
        new NrrdWriter(WriteOptions.defaults().withNrrdGzip(gzip)).write(volume, file);

        Volume back = new NrrdReader().read(file);

        assertThat(back.type()).isEqualTo(type);
        assertThat(back.shape()).containsExactly(7, 5, 3);
        assertThat(TestFiles.littleEndianBytes(back))
                .isEqualTo(TestFiles.littleEndianBytes(volume));
        assertThat(back.affine().approximatelyEquals(volume.affine(), 1e-12)).isTrue();
        assertThat(back.metadata()).containsEntry("nrrd.space", "left-posterior-superior");
    }

    @Test
    void writesLpsHeaderLikeSlicer() {
        Volume volume =
                Volume.allocate(
                        VoxelType.INT16,
                        Affine.diagonal(0.5, 0.75, 2).withTranslation(10, 20, 30),
                        2,
                        3,
                        4);
        String header = new NrrdWriter().header(volume, Map.of());
        assertThat(header)
                .startsWith("NRRD0004\n")
                .contains(
                        "type: short\n",
                        "space: left-posterior-superior\n",
                        "sizes: 2 3 4\n",
                        "space directions: (-0.5,0,0) (0,-0.75,0) (0,0,2)\n",
                        "kinds: domain domain domain\n",
                        "space origin: (-10,-20,30)\n",
                        "encoding: gzip\n")
                .endsWith("\n\n");
    }

    @Test
    void roundTripsChannelsAsLastAxis() throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.FLOAT32,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        2,
                        4,
                        3,
                        2,
                        3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NrrdWriter().write(volume, out, Map.of("note", "two\nlines"));
        byte[] bytes = out.toByteArray();
        Volume back = new NrrdReader().read(new ByteArrayInputStream(bytes), bytes.length);
        assertThat(back.shape()).containsExactly(4, 3, 2, 3);
        assertThat(back.data()).isEqualTo(volume.data());
        assertThat(back.metadata().get("nrrd.keyvalues")).isEqualTo(Map.of("note", "two\nlines"));
    }

    private static Volume read(byte[] bytes) throws IOException {
        return new NrrdReader().read(new ByteArrayInputStream(bytes), bytes.length);
    }

    @Test
    void convertsLpsAndRasHeadersToTheSameRasAffine() throws IOException {
        byte[] data = NrrdFiles.shorts(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4, 5, 6, 7, 8);
        Volume lps =
                read(
                        NrrdFiles.file(
                                "NRRD0005\n"
                                        + "type: int16\n"
                                        + "dimension: 3\n"
                                        + "space: LPS\n"
                                        + "sizes: 2 2 2\n"
                                        + "space directions: (-1,0,0) (0,0,2) (0,3,0)\n"
                                        + "endian: big\n"
                                        + "encoding: raw\n"
                                        + "space origin: (10,20,30)\n\n",
                                data));
        Volume ras =
                read(
                        NrrdFiles.file(
                                "NRRD0004\n"
                                        + "type: short\n"
                                        + "dimension: 3\n"
                                        + "space: right-anterior-superior\n"
                                        + "sizes: 2 2 2\n"
                                        + "space directions: (1,0,0) (0, 0, 2) (0,-3,0)\n"
                                        + "endian: big\n"
                                        + "encoding: raw\n"
                                        + "space origin: (-10,-20,30)\n\n",
                                data));
        Affine expected = Affine.of(1, 0, 0, -10, 0, 0, -3, -20, 0, 2, 0, 30, 0, 0, 0, 1);
        assertThat(lps.affine()).isEqualTo(expected);
        assertThat(ras.affine()).isEqualTo(expected);
        assertThat(lps.get(1, 1, 1)).isEqualTo(8);
        assertThat(ras.get(1, 0, 0)).isEqualTo(2);
    }

    @Test
    void deinterleavesAFirstVectorAxis() throws IOException {
        Volume v =
                read(
                        NrrdFiles.file(
                                "NRRD0004\n"
                                        + "type: uchar\n"
                                        + "dimension: 4\n"
                                        + "space: left-posterior-superior\n"
                                        + "sizes: 2 3 1 1\n"
                                        + "space directions: none (1,0,0) (0,1,0) (0,0,1)\n"
                                        + "kinds: vector domain domain domain\n"
                                        + "encoding: raw\n\n",
                                NrrdFiles.bytes(1, 10, 2, 20, 3, 30)));
        assertThat(v.shape()).containsExactly(3, 1, 1, 2);
        assertThat(v.toFloatArray()).containsExactly(1, 2, 3, 10, 20, 30);
    }

    @Test
    void readsSpacingsOnlyHeaderAsLpsGrid() throws IOException {
        Volume v =
                read(
                        NrrdFiles.file(
                                "NRRD0001\n"
                                        + "type: uchar\n"
                                        + "dimension: 3\n"
                                        + "sizes: 1 1 2\n"
                                        + "spacings: 0.5 2 3\n"
                                        + "encoding: raw\n\n",
                                NrrdFiles.bytes(1, 2)));
        assertThat(v.affine()).isEqualTo(Affine.diagonal(-0.5, -2, 3));
    }

    @Test
    void readsTwoDimensionalImageInThreeDimensionalSpace() throws IOException {
        Volume v =
                read(
                        NrrdFiles.file(
                                "NRRD0004\n"
                                        + "type: uchar\n"
                                        + "dimension: 2\n"
                                        + "space: RAS\n"
                                        + "sizes: 2 1\n"
                                        + "space directions: (0.5,0,0) (0,0.5,0)\n"
                                        + "encoding: gzip\n\n",
                                NrrdFiles.gzip(NrrdFiles.bytes(7, 9))));
        assertThat(v.shape()).containsExactly(2, 1, 1);
        assertThat(v.affine()).isEqualTo(Affine.diagonal(0.5, 0.5, 1));
    }

    @Test
    void readsTwoDimensionalSpaceAsItkWritesIt() throws IOException {
        Volume v =
                read(
                        NrrdFiles.file(
                                "NRRD0004\n"
                                        + "type: uchar\n"
                                        + "dimension: 2\n"
                                        + "space dimension: 2\n"
                                        + "sizes: 2 1\n"
                                        + "space directions: (0.5,0) (0,0.25)\n"
                                        + "space origin: (3,4)\n"
                                        + "encoding: raw\n\n",
                                NrrdFiles.bytes(7, 9)));
        assertThat(v.affine())
                .isEqualTo(Affine.of(-0.5, 0, 0, -3, 0, -0.25, 0, -4, 0, 0, 1, 0, 0, 0, 0, 1));
    }

    @Test
    void readsDetachedDataWithByteSkipFromTheEnd() throws IOException {
        Files.writeString(
                dir.resolve("img.nhdr"),
                "NRRD0004\n"
                        + "type: short\n"
                        + "dimension: 3\n"
                        + "space: LPS\n"
                        + "sizes: 2 1 1\n"
                        + "space directions: (1,0,0) (0,1,0) (0,0,1)\n"
                        + "endian: little\n"
                        + "encoding: raw\n"
                        + "byte skip: -1\n"
                        + "data file: img.raw\n");
        byte[] data =
                NrrdFiles.file(
                        "junk header of another tool",
                        NrrdFiles.shorts(ByteOrder.LITTLE_ENDIAN, 300, -2));
        Files.write(dir.resolve("img.raw"), data);
        Volume v = new NrrdReader().read(dir.resolve("img.nhdr"));
        assertThat(v.toFloatArray()).containsExactly(300, -2);
    }

    @Test
    void readsLineSkipBeforeData() throws IOException {
        Volume v =
                read(
                        NrrdFiles.file(
                                "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 1 1\nencoding: raw\n"
                                        + "line skip: 2\n\n",
                                NrrdFiles.file("a\nb\n", NrrdFiles.bytes(5, 6))));
        assertThat(v.toFloatArray()).containsExactly(5, 6);
    }
}
