package org.monailabel.engine.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.Floats;

class ResampleTest {
    /** The per-axis fast path for grids without rotation gives the general per-voxel result. */
    @ParameterizedTest
    @EnumSource(StorageOrder.class)
    void axisAlignedGridsTakeTheSeparablePathWithTheSameValues(StorageOrder order) {
        Volume ct =
                PhantomGenerator.render(
                                "r", 4, new int[] {37, 29, 11}, new double[] {3.1, 2.7, 7.5}, order)
                        .image();
        Orientation toRas = Orientation.toRas(ct.affine());
        Grid grid =
                new Spacing(2, 2.5, 3)
                        .plan(toRas.apply(ct.shape()), toRas.apply(ct.affine(), ct.shape()));
        float[] fast = Resample.resampleToDense(ct, grid);
        float[] general =
                DenseArray.fromVolume(Resample.resample(ct, grid, Interpolation.LINEAR)).data();
        Floats.assertClose(fast, general, 1e-3);
        int[] s = grid.shape();
        int half = s[0] / 2;
        float[] slab = new float[(s[0] - half) * s[1] * s[2]];
        Resample.resampleToDense(ct, grid, FloatBuffer.wrap(slab), half, s[0] - half);
        Floats.assertIdentical(slab, Arrays.copyOfRange(fast, half * s[1] * s[2], fast.length));
        assertThat(fast.length).isEqualTo(s[0] * s[1] * s[2]);
    }

    /**
     * A box of the grid, also one reaching beyond it, is resampled exactly (bit for bit) as the
     * whole grid is, on the separable path and on the general one (an oblique grid); the box's
     * voxels off the grid take the fill.
     */
    @ParameterizedTest
    @EnumSource(StorageOrder.class)
    void aBoxIsResampledExactlyAsTheWholeGrid(StorageOrder order) {
        Volume ct =
                PhantomGenerator.render(
                                "r", 5, new int[] {41, 33, 13}, new double[] {1.9, 2.3, 5.5}, order)
                        .image();
        Orientation toRas = Orientation.toRas(ct.affine());
        Grid aligned =
                new Spacing(2, 2.5, 3)
                        .plan(toRas.apply(ct.shape()), toRas.apply(ct.affine(), ct.shape()));
        double c = Math.cos(0.3);
        double s = Math.sin(0.3);
        Grid oblique =
                new Grid(
                        new int[] {30, 28, 20},
                        ct.affine()
                                .multiply(
                                        Affine.of(
                                                1.5 * c, -1.5 * s, 0, 3, 1.5 * s, 1.5 * c, 0, -2, 0,
                                                0, 0.7, 0.5)));
        for (Grid grid : new Grid[] {aligned, oblique}) {
            float[] whole = Resample.resampleToDense(ct, grid);
            int[] g = grid.shape();
            int[][][] boxes = {
                {{0, 0, 0}, g},
                {{2, 3, 1}, {7, 5, 4}},
                {{-4, -3, -2}, {9, 8, 7}},
                {{g[0] - 3, g[1] - 5, g[2] - 2}, {8, 9, 6}},
                {{-2, 1, g[2] - 1}, {g[0] + 4, 3, 5}}
            };
            for (int[][] b : boxes) {
                int[] start = b[0];
                int[] size = b[1];
                float[] box = new float[size[0] * size[1] * size[2]];
                Resample.resampleBoxToDense(ct, grid, start, size, -7.5f, FloatBuffer.wrap(box));
                for (int x = 0; x < size[0]; x++) {
                    for (int y = 0; y < size[1]; y++) {
                        for (int z = 0; z < size[2]; z++) {
                            int gx = start[0] + x;
                            int gy = start[1] + y;
                            int gz = start[2] + z;
                            boolean on =
                                    gx >= 0 && gy >= 0 && gz >= 0 && gx < g[0] && gy < g[1]
                                            && gz < g[2];
                            float expected = on ? whole[(gx * g[1] + gy) * g[2] + gz] : -7.5f;
                            float got = box[(x * size[1] + y) * size[2] + z];
                            assertThat(Float.floatToIntBits(got))
                                    .as("%s at %d %d %d", grid, gx, gy, gz)
                                    .isEqualTo(Float.floatToIntBits(expected));
                        }
                    }
                }
            }
        }
    }
}
