package org.monailabel.engine.io.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.TestVolumes;
import org.monailabel.engine.io.WriteOptions;

/** Headers nobody should trust: each ends in a clear {@link InvalidImageException}. */
class NiftiValidationTest {
    private static final Volume SMALL =
            TestVolumes.random(
                    VoxelType.INT16, TestVolumes.oblique(), ByteOrder.LITTLE_ENDIAN, 3, 6, 5, 4);

    static byte[] nifti(Volume volume, int version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NiftiWriter(WriteOptions.defaults().withNiftiVersion(version))
                .write(volume, out, false);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    static Volume read(byte[] bytes) throws IOException {
        return new NiftiReader().read(new ByteArrayInputStream(bytes), bytes.length);
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertInvalid(byte[] bytes, String messagePart) {
        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(messagePart);
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        assertInvalid(Arrays.copyOf(nifti(SMALL, 1), 200), "NIfTI header ends after");
    }

    @Test
    void rejectsEmptyFile() {
        assertInvalid(new byte[0], "NIfTI header ends after 0");
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        byte[] b = nifti(SMALL, 1);
        b[345] = 'X';
        assertInvalid(b, "wrong magic");
    }

    @Test
    void rejectsHeaderImagePairMagic() throws IOException {
        byte[] b = nifti(SMALL, 1);
        b[345] = 'i';
        assertInvalid(b, ".hdr/.img");
    }

    @Test
    void rejectsWrongHeaderSize() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putInt(0, 349);
        assertInvalid(b, "sizeof_hdr");
    }

    @Test
    void rejectsNegativeDimension() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(42, (short) -5);
        assertInvalid(b, "axis of size -5");
    }

    @Test
    void rejectsTooManyAxes() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(40, (short) 9);
        assertInvalid(b, "dim[0]");
    }

    @Test
    void rejectsOverflowingNifti2Dimensions() throws IOException {
        byte[] b = nifti(SMALL, 2);
        for (int i = 1; i <= 3; i++) {
            le(b).putLong(16 + 8 * i, Long.MAX_VALUE / 2);
        }
        assertInvalid(b, "more than the limit");
    }

    @Test
    void rejectsGzipBombDeclaring100000CubedVoxels() throws IOException {
        byte[] b = nifti(SMALL, 2);
        for (int i = 1; i <= 3; i++) {
            le(b).putLong(16 + 8 * i, 100_000);
        }
        assertInvalid(gzip(b), "100000x100000x100000");
    }

    @Test
    void rejectsSmallGzipDeclaringGigabytesBeforeAllocating() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(42, (short) 1000).putShort(44, (short) 1000).putShort(46, (short) 1000);
        assertInvalid(gzip(b), "cannot inflate");
    }

    @Test
    void honoursAConfigurableVoxelCap() throws IOException {
        byte[] b = nifti(SMALL, 1);
        NiftiReader reader = new NiftiReader(new ReadOptions(100));
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(b), b.length))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("limit of 100 bytes");
    }

    @Test
    void rejectsHeaderPromisingMoreBytesThanTheFileHolds() throws IOException {
        byte[] b = nifti(SMALL, 1);
        assertInvalid(
                Arrays.copyOf(b, b.length - 1), "promises 592 bytes but the file holds only 591");
    }

    @Test
    void rejectsNifti2VoxOffsetThatWouldOverflow() throws IOException {
        byte[] b = nifti(SMALL, 2);
        le(b).putLong(168, Long.MAX_VALUE - 10);
        assertInvalid(gzip(b), "promises " + Long.MAX_VALUE + " bytes");
    }

    @Test
    void rejectsTruncatedGzipData() throws IOException {
        byte[] gz = gzip(nifti(SMALL, 1));
        assertInvalid(Arrays.copyOf(gz, gz.length - 30), "NIfTI voxel data");
    }

    @Test
    void rejectsTruncatedDataOfUnknownLength() throws IOException {
        byte[] b = Arrays.copyOf(nifti(SMALL, 1), 400);
        assertThatThrownBy(() -> new NiftiReader().read(new ByteArrayInputStream(b), -1))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("ends after 48 of 240 bytes");
    }

    @Test
    void rejectsNanSform() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putFloat(280, Float.NaN);
        assertInvalid(b, "sform affine has a non-finite value");
    }

    @Test
    void rejectsSingularSform() throws IOException {
        byte[] b = nifti(SMALL, 1);
        for (int i = 0; i < 12; i++) {
            le(b).putFloat(280 + 4 * i, 0);
        }
        assertInvalid(b, "sform affine is singular");
    }

    @Test
    void rejectsQuaternionLongerThanOne() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(254, (short) 0).putFloat(256, 0.9f).putFloat(260, 0.9f);
        assertInvalid(b, "norm above 1");
    }

    @Test
    void rejectsRgb24WithAClearMessage() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(70, (short) 128);
        assertInvalid(b, "RGB24");
    }

    @Test
    void rejectsVoxOffsetInsideHeader() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putFloat(108, 100);
        assertInvalid(b, "vox_offset 100");
    }

    @Test
    void rejectsZeroVoxOffsetOnWhichReadersDisagree() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putFloat(108, 0);
        assertInvalid(b, "vox_offset 0 is inside the header");
    }

    @Test
    void rejectsInfiniteInterceptWithValidSlope() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putFloat(112, 2).putFloat(116, Float.POSITIVE_INFINITY);
        assertInvalid(b, "scl_inter");
    }

    @Test
    void skipsExtensionsUpToVoxOffset() throws IOException {
        byte[] plain = nifti(SMALL, 1);
        byte[] b = new byte[plain.length + 32];
        System.arraycopy(plain, 0, b, 0, 348);
        le(b).put(348, (byte) 1).putInt(352, 32).putInt(356, 6).putFloat(108, 384);
        System.arraycopy("an extension".getBytes(), 0, b, 360, 12);
        System.arraycopy(plain, 352, b, 384, plain.length - 352);
        Volume volume = read(b);
        assertThat(volume.data()).isEqualTo(SMALL.data());
    }

    @Test
    void appliesSlopeAndInterceptLikeNibabel() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putFloat(112, 0.5f).putFloat(116, -3f);
        Volume volume = read(b);
        assertThat(volume.type()).isEqualTo(VoxelType.FLOAT32);
        assertThat(volume.get(7)).isEqualTo((float) (SMALL.get(7) * 0.5 - 3));
        assertThat(volume.metadata()).containsEntry("nifti.scl_slope", 0.5);
    }

    @Test
    void scaledInt32BecomesFloat64() throws IOException {
        Volume int32 =
                TestVolumes.random(
                        VoxelType.INT32, Affine.identity(), ByteOrder.LITTLE_ENDIAN, 4, 3, 3, 3);
        byte[] b = nifti(int32, 1);
        le(b).putFloat(112, 3f).putFloat(116, 0.25f);
        Volume volume = read(b);
        assertThat(volume.type()).isEqualTo(VoxelType.FLOAT64);
        assertThat(volume.get(5)).isEqualTo(int32.get(5) * 3 + 0.25);
    }

    @Test
    void ignoresZeroOrNanSlope() throws IOException {
        for (float slope : new float[] {0, Float.NaN}) {
            byte[] b = nifti(SMALL, 1);
            le(b).putFloat(112, slope).putFloat(116, 5);
            Volume volume = read(b);
            assertThat(volume.type()).isEqualTo(VoxelType.INT16);
            assertThat(volume.data()).isEqualTo(SMALL.data());
        }
    }

    @Test
    void convertsMetresAndMicrometresToMillimetres() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).put(123, (byte) (1 | 8));
        assertThat(read(b).affine().get(0, 3)).isEqualTo(12500, Assertions.within(1e-3));
        le(b).put(123, (byte) 3);
        assertThat(read(b).affine().get(0, 3)).isEqualTo(0.0125, Assertions.within(1e-9));
    }

    @Test
    void fallsBackToNibabelsPixdimAffineWithoutCodes() throws IOException {
        byte[] b = nifti(SMALL, 1);
        le(b).putShort(252, (short) 0).putShort(254, (short) 0);
        le(b).putFloat(80, 2).putFloat(84, -3).putFloat(88, 0);
        // nibabel: |pixdim|, 0 -> 1, x negated, centred on the middle voxel
        assertThat(read(b).affine())
                .isEqualTo(Affine.of(-2, 0, 0, 5, 0, 3, 0, -6, 0, 0, 1, -1.5, 0, 0, 0, 1));
    }
}
