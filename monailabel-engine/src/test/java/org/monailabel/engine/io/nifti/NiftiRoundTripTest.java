package org.monailabel.engine.io.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

class NiftiRoundTripTest {
    @TempDir Path dir;

    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (VoxelType type : VoxelType.values()) {
            for (int version : new int[] {1, 2}) {
                for (String ext : List.of(".nii", ".nii.gz")) {
                    out.add(Arguments.of(type, version, ext));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} NIfTI-{1} {2}")
    @MethodSource("variants")
    void roundTripsVoxelsAndObliqueFlippedAffine(VoxelType type, int version, String ext)
            throws IOException {
        Volume volume =
                TestVolumes.random(type, TestVolumes.oblique(), ByteOrder.BIG_ENDIAN, 5, 7, 5, 3);
        Path file = dir.resolve("v" + ext);
        new NiftiWriter(WriteOptions.defaults().withNiftiVersion(version)).write(volume, file);

        Volume back = new NiftiReader().read(file);

        assertThat(back.type()).isEqualTo(type);
        assertThat(back.shape()).containsExactly(7, 5, 3);
        assertThat(TestFiles.littleEndianBytes(back))
                .isEqualTo(TestFiles.littleEndianBytes(volume));
        assertThat(back.affine().approximatelyEquals(volume.affine(), version == 1 ? 1e-5 : 1e-12))
                .as("%s vs %s", back.affine(), volume.affine())
                .isTrue();
        assertThat(back.metadata()).containsEntry("format", "nifti" + version);
    }

    @Test
    void roundTripsFourDimensionalVolumes() throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.FLOAT32,
                        Affine.diagonal(2, 2, 2),
                        ByteOrder.LITTLE_ENDIAN,
                        6,
                        4,
                        3,
                        2,
                        5);
        Path file = dir.resolve("four.nii.gz");
        new NiftiWriter().write(volume, file);
        Volume back = new NiftiReader().read(file);
        assertThat(back.shape()).containsExactly(4, 3, 2, 5);
        assertThat(back.data()).isEqualTo(volume.data());
    }

    @Test
    void qformOfWrittenFileGivesTheSameAffine() throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.UINT8,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        1,
                        2,
                        2,
                        2);
        NiftiHeader h = new NiftiWriter().header(volume);
        NiftiHeader qformOnly =
                new NiftiHeader(
                        2,
                        h.order(),
                        h.dim(),
                        h.datatype(),
                        h.pixdim(),
                        h.voxOffset(),
                        1,
                        0,
                        h.xyztUnits(),
                        1,
                        0,
                        h.quatern(),
                        h.qoffset(),
                        h.srow(),
                        0,
                        "");
        assertThat(NiftiAffines.choose(qformOnly).approximatelyEquals(volume.affine(), 1e-12))
                .isTrue();
        assertThat(h.pixdim()[0]).isEqualTo(-1); // the flipped first axis makes a left-handed grid
    }

    @Test
    void gzipReadAllocatesLittleMoreThanTheVoxelBuffer() throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.INT16,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        2,
                        128,
                        128,
                        64);
        Path file = dir.resolve("big.nii.gz");
        new NiftiWriter().write(volume, file);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        new NiftiReader().read(file); // warm up class loading
        long before = threads.getThreadAllocatedBytes(tid);
        Volume back = new NiftiReader().read(file);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(back.data()).isEqualTo(volume.data());
        assertThat(allocated)
                .as("bytes allocated for %d voxel bytes", volume.byteCount())
                .isLessThan((long) (volume.byteCount() * 1.1) + (1 << 20));
    }
}
