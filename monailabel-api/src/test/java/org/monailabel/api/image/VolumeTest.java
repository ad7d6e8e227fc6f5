package org.monailabel.api.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VolumeTest {
    @Test
    void indexesWithXFastestThenYThenZThenChannel() {
        Volume v = Volume.allocate(VoxelType.INT16, Affine.identity(), 4, 3, 2, 2);
        assertThat(v.index(1, 0, 0)).isEqualTo(1);
        assertThat(v.index(0, 1, 0)).isEqualTo(4);
        assertThat(v.index(0, 0, 1)).isEqualTo(12);
        assertThat(v.index(0, 0, 0, 1)).isEqualTo(24);
        assertThat(v.channels()).isEqualTo(2);
        assertThat(v.voxelCount()).isEqualTo(48);
        assertThat(v.byteCount()).isEqualTo(96);
    }

    @ParameterizedTest
    @EnumSource(VoxelType.class)
    void storesAndReadsEveryTypeWithClampingForIntegers(VoxelType type) {
        Volume v = Volume.allocate(type, Affine.identity(), 2, 1, 1);
        v.set(0, 100.4);
        assertThat(v.get(0))
                .isEqualTo(
                        type.isFloatingPoint()
                                ? (type == VoxelType.FLOAT32 ? (float) 100.4 : 100.4)
                                : 100);
        v.set(1, 1e30);
        if (!type.isFloatingPoint()) {
            assertThat(v.get(1)).isEqualTo(type.maxValue());
        }
        v.set(1, -1e30);
        if (!type.isFloatingPoint()) {
            assertThat(v.get(1)).isEqualTo(type.minValue());
        }
    }

    @Test
    void unsignedTypesReadAsUnsigned() {
        ByteBuffer data =
                ByteBuffer.allocate(2).order(ByteOrder.BIG_ENDIAN).putShort((short) 0xFFFE).flip();
        Volume v =
                Volume.of(VoxelType.UINT16, new int[] {1, 1, 1}, data, Affine.identity(), Map.of());
        assertThat(v.get(0)).isEqualTo(65534);
    }

    @Test
    void wrapsABufferWithoutCopyingAndKeepsItsByteOrder() {
        ByteBuffer data = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
        data.putFloat(0, 1.5f).putFloat(4, -2f);
        Volume v =
                Volume.of(
                        VoxelType.FLOAT32,
                        new int[] {2, 1, 1},
                        data,
                        Affine.identity(),
                        Map.of("k", "v"));
        data.putFloat(0, 7f); // the volume is a view: no copy was made
        assertThat(v.get(0)).isEqualTo(7);
        assertThat(v.toFloatArray()).containsExactly(7f, -2f);
        assertThat(v.metadata()).containsEntry("k", "v");
        assertThat(v.withAffine(Affine.diagonal(2, 2, 2)).get(1)).isEqualTo(-2);
    }

    @Test
    void refusesBadShapesAndBuffersOfTheWrongSize() {
        assertThatThrownBy(() -> Volume.allocate(VoxelType.UINT8, Affine.identity(), 2, 0, 2))
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Volume.allocate(VoxelType.UINT8, Affine.identity(), 2, 2))
                .hasMessageContaining("3 or 4 axes");
        assertThatThrownBy(
                        () ->
                                Volume.of(
                                        VoxelType.INT16,
                                        new int[] {2, 2, 2},
                                        ByteBuffer.allocate(15),
                                        Affine.identity(),
                                        Map.of()))
                .hasMessageContaining("needs 16 bytes");
        assertThatThrownBy(
                        () ->
                                Volume.allocate(
                                        VoxelType.FLOAT64, Affine.identity(), 1024, 1024, 1024))
                .hasMessageContaining("2 GiB");
    }

    @Test
    void voxelTypesHaveWireNames() {
        assertThat(VoxelType.fromName("uint8")).isEqualTo(VoxelType.UINT8);
        assertThat(VoxelType.FLOAT32.wireName()).isEqualTo("float32");
        assertThatThrownBy(() -> VoxelType.fromName("complex64")).hasMessageContaining("complex64");
    }
}
