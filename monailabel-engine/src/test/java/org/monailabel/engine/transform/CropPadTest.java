package org.monailabel.engine.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.testing.Floats;

class CropPadTest {
    private static final Affine OBLIQUE =
            Affine.of(0.9, -0.2, 0, -30, 0.2, 0.9, 0, 12, 0, 0, 2.5, 7);

    static Volume ramp(int nx, int ny, int nz) {
        Volume v = Volume.allocate(VoxelType.INT16, OBLIQUE, nx, ny, nz);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, i % 1000 + 1);
        }
        return v;
    }

    @Test
    void foregroundBoxHasTheMarginAndStaysInsideTheVolume() {
        Volume v = Volume.allocate(VoxelType.UINT8, OBLIQUE, 10, 12, 8);
        v.set(v.index(3, 4, 5), 1);
        v.set(v.index(6, 9, 5), 2);
        CropPad.Box box = CropPad.foreground(v, 0, new int[] {2, 2, 4});
        assertThat(box.start()).containsExactly(1, 2, 1);
        assertThat(box.end()).containsExactly(9, 12, 8);
        assertThat(
                        CropPad.foreground(
                                        Volume.allocate(VoxelType.UINT8, OBLIQUE, 4, 4, 4),
                                        0,
                                        new int[3])
                                .size())
                .containsExactly(4, 4, 4);
    }

    @Test
    void cropKeepsWorldPositionsAndUncropRestoresTheGrid() {
        Volume v = ramp(9, 7, 5);
        CropPad.Box box = new CropPad.Box(new int[] {2, 1, 1}, new int[] {7, 6, 4});
        Volume c = CropPad.crop(v, box);
        assertThat(c.shape()).containsExactly(5, 5, 3);
        assertThat(c.get(0, 0, 0)).isEqualTo(v.get(2, 1, 1));
        assertThat(c.affine().apply(0, 0, 0))
                .containsExactly(v.affine().apply(2, 1, 1), within(1e-9));
        Volume back = CropPad.uncrop(c, box, v.shape());
        assertThat(back.affine().approximatelyEquals(v.affine(), 1e-12)).isTrue();
        assertThat(back.get(4, 3, 2)).isEqualTo(v.get(4, 3, 2));
        assertThat(back.get(0, 0, 0)).isZero(); // outside the box
    }

    @Test
    void divisiblePadIsSymmetricAndItsInverseGivesTheImageBack() {
        Volume v = ramp(9, 16, 5);
        CropPad.Box pad = CropPad.divisiblePad(v.shape(), 8);
        assertThat(pad.start()).containsExactly(-3, 0, -1);
        assertThat(pad.end()).containsExactly(13, 16, 7);
        Volume padded = CropPad.crop(v, pad);
        assertThat(padded.shape()).containsExactly(16, 16, 8);
        assertThat(padded.get(0, 0, 0)).isZero();
        assertThat(padded.get(3, 0, 1)).isEqualTo(v.get(0, 0, 0));
        assertThat(padded.affine().apply(3, 0, 1))
                .containsExactly(v.affine().apply(0, 0, 0), within(1e-9));
        Volume back = CropPad.uncrop(padded, pad, v.shape());
        assertThat(back.shape()).isEqualTo(v.shape());
        Floats.assertIdentical(back.toFloatArray(), v.toFloatArray());
    }

    @Test
    void centerCropTakesTheMiddleAndKeepsShortAxesWhole() {
        CropPad.Box box = CropPad.center(new int[] {10, 4, 7}, new int[] {4, 8, 3});
        assertThat(box.start()).containsExactly(3, 0, 2);
        assertThat(box.end()).containsExactly(7, 4, 5);
    }
}
