package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.transform.Grid;

class CropBoxTest {
    @Test
    void centresOnTheClicksBoundingBoxAndStaysInside() {
        int[] grid = {100, 90, 40};
        CropBox box =
                CropBox.around(
                        List.of(new int[] {40, 50, 20}, new int[] {60, 50, 22}),
                        grid,
                        new int[] {32, 32, 32});
        assertThat(box.start()).containsExactly(34, 34, 5);
        CropBox edge = CropBox.around(List.of(new int[] {2, 88, 39}), grid, new int[] {32, 32, 32});
        assertThat(edge.start()).containsExactly(0, 58, 8);
        CropBox small =
                CropBox.around(
                        List.of(new int[] {5, 5, 5}),
                        new int[] {20, 20, 20},
                        new int[] {32, 32, 32});
        assertThat(small.start())
                .containsExactly(-6, -6, -6); // smaller than the box: centred, padded
    }

    @Test
    void cropsAndPadsInCOrder() {
        int[] shape = {4, 3, 2};
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        float[] c = new CropBox(new int[] {3, -1, 1}, new int[] {2, 2, 2}).crop(v, shape, -9);
        // (x=3,y=-1) pad; (3,0,z=1)=19, z=2 pad; x=4 pad
        assertThat(c).containsExactly(-9, -9, 19, -9, -9, -9, -9, -9);
    }

    @Test
    void pastesBackOntoTheSameGridVoxelForVoxel() {
        Grid grid =
                new Grid(
                        new int[] {30, 25, 20},
                        Affine.diagonal(2, 2, 2).withTranslation(-30, -25, 10));
        CropBox box = new CropBox(new int[] {5, 6, 7}, new int[] {8, 8, 8});
        byte[] mask = randomMask(box.voxels(), 3);
        Volume out = box.pasteBack(mask, grid, grid, -1);
        assertThat(out.shape()).containsExactly(30, 25, 20);
        assertThat(out.affine()).isEqualTo(grid.affine());
        for (int x = 0; x < 30; x++) {
            for (int y = 0; y < 25; y++) {
                for (int z = 0; z < 20; z++) {
                    boolean inside = x >= 5 && x < 13 && y >= 6 && y < 14 && z >= 7 && z < 15;
                    int expected = inside ? mask[((x - 5) * 8 + (y - 6)) * 8 + (z - 7)] : 0;
                    assertThat((int) out.get(x, y, z)).as("%d %d %d", x, y, z).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void pastesBackOntoAFlippedFinerGridAsNearestNeighbourEverywhere() {
        // an LPS-stored input at 0.7 x 0.7 x 2.5 mm; the network grid RAS at 2 mm
        Affine inputAffine = Affine.of(-0.7, 0, 0, 40, 0, -0.7, 0, 30, 0, 0, 2.5, -20, 0, 0, 0, 1);
        Grid input = new Grid(new int[] {120, 100, 24}, inputAffine);
        Grid network =
                new Grid(
                        new int[] {42, 35, 30},
                        Affine.diagonal(2, 2, 2).withTranslation(-43.3, -40.1, -20));
        CropBox box = new CropBox(new int[] {10, -3, 4}, new int[] {16, 16, 16});
        byte[] mask = randomMask(box.voxels(), 7);
        Volume out = box.pasteBack(mask, network, input, -1);
        Affine t = network.affine().inverse().multiply(inputAffine);
        long nonzero = 0;
        for (int k = 0; k < 24; k++) {
            for (int j = 0; j < 100; j++) {
                for (int i = 0; i < 120; i++) {
                    double[] p = t.apply(i, j, k);
                    int x =
                            Math.max(
                                    0,
                                    Math.min(
                                            41,
                                            (int) Math.rint(p[0]))); // clamped, as resampleLabels
                    int y = Math.max(0, Math.min(34, (int) Math.rint(p[1])));
                    int z = Math.max(0, Math.min(29, (int) Math.rint(p[2])));
                    boolean inBox = x >= 10 && x < 26 && y >= -3 && y < 13 && z >= 4 && z < 20;
                    int expected = inBox ? mask[((x - 10) * 16 + (y + 3)) * 16 + (z - 4)] : 0;
                    assertThat((int) out.get(i, j, k)).as("%d %d %d", i, j, k).isEqualTo(expected);
                    nonzero += expected != 0 ? 1 : 0;
                }
            }
        }
        assertThat(nonzero).isPositive();
        Volume slice = box.pasteBack(mask, network, input, 9);
        for (int k = 0; k < 24; k++) {
            for (int j = 0; j < 100; j++) {
                for (int i = 0; i < 120; i++) {
                    assertThat(slice.get(i, j, k)).isEqualTo(k == 9 ? out.get(i, j, k) : 0);
                }
            }
        }
    }

    static byte[] randomMask(int n, long seed) {
        Random r = new Random(seed);
        byte[] m = new byte[n];
        for (int i = 0; i < n; i++) {
            m[i] = (byte) (r.nextInt(3));
        }
        return m;
    }
}
