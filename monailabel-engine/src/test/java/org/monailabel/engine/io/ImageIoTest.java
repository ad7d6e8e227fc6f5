package org.monailabel.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.testing.Fixtures;

class ImageIoTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a.nii", "a.nii.gz", "a.NRRD", "a.nrrd", "a.seg.nrrd"})
    void writesAndReadsBackByExtension(String name) throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.UINT8,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        3,
                        5,
                        4,
                        3);
        Path file = dir.resolve(name);
        ImageIo.write(volume, file, WriteOptions.defaults());
        Volume back = ImageIo.read(file);
        assertThat(back.data()).isEqualTo(volume.data());
        assertThat(back.affine().approximatelyEquals(volume.affine(), 1e-5)).isTrue();
    }

    @Test
    void gzipLevelChangesTheNiftiGzFile() throws IOException {
        Volume volume =
                TestVolumes.random(
                        VoxelType.INT16,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        3,
                        64,
                        64,
                        16);
        ImageIo.write(volume, dir.resolve("fast.nii.gz"), WriteOptions.defaults().withGzipLevel(1));
        ImageIo.write(
                volume, dir.resolve("stored.nii.gz"), WriteOptions.defaults().withGzipLevel(0));
        assertThat(Files.size(dir.resolve("stored.nii.gz")))
                .isGreaterThan(Files.size(dir.resolve("fast.nii.gz")));
    }

    @Test
    void failedWriteLeavesNoFileBehind() throws IOException {
        Volume floats = Volume.allocate(VoxelType.FLOAT32, TestVolumes.oblique(), 2, 2, 2);
        Path file = dir.resolve("labels.seg.nrrd");
        assertThatThrownBy(() -> ImageIo.write(floats, file, WriteOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void readingFromAStreamLeavesItOpen() throws IOException {
        Volume volume = Volume.allocate(VoxelType.UINT8, TestVolumes.oblique(), 2, 2, 2);
        Path file = dir.resolve("a.nii.gz");
        ImageIo.write(volume, file, WriteOptions.defaults());
        try (var in =
                new BufferedInputStream(Files.newInputStream(file)) {
                    boolean closed;

                    @Override
                    public void close() throws IOException {
                        closed = true;
                        super.close();
                    }
                }) {
            new NiftiReader().read(in, Files.size(file));
            assertThat(in.closed).isFalse();
        }
    }

    @Test
    void rejectsUnknownExtension() {
        assertThatThrownBy(() -> ImageIo.read(dir.resolve("a.mha")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("Unknown image file extension: 'a.mha'");
    }

    @Test
    void missingFileIsAnIoExceptionButNotAnInvalidImage() {
        assertThatThrownBy(() -> ImageIo.read(dir.resolve("none.nii")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(InvalidImageException.class);
    }

    @Test
    void readsFixtureThroughTheFacade() throws IOException {
        Volume ct = ImageIo.read(Fixtures.nifti("synth_ct_64x64x48.nii.gz"));
        assertThat(ct.shape()).containsExactly(64, 64, 48);
    }
}
