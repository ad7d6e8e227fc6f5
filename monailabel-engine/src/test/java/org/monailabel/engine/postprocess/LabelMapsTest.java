package org.monailabel.engine.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.postprocess.ConnectedComponents.Connectivity;
import org.monailabel.testing.Floats;

class LabelMapsTest {
    private static final Affine A = Affine.diagonal(1, 2, 3);

    @Test
    void diagonalNeighboursConnectOnlyWith26Connectivity() {
        int[] shape = {4, 4, 4};
        boolean[] mask = new boolean[64];
        mask[index(0, 0, 0)] = true;
        mask[index(1, 1, 1)] = true; // touches the first by a corner
        mask[index(3, 3, 3)] = true;
        assertThat(max(ConnectedComponents.label(mask, shape, Connectivity.SIX))).isEqualTo(3);
        assertThat(max(ConnectedComponents.label(mask, shape, Connectivity.TWENTY_SIX)))
                .isEqualTo(2);
    }

    @Test
    void keepsTheLargestComponentOfEachLabel() {
        Volume v = Volume.allocate(VoxelType.UINT8, A, 6, 5, 4);
        for (int x = 0; x < 3; x++) {
            v.set(v.index(x, 0, 0), 1); // three voxels of label 1
        }
        v.set(v.index(5, 4, 3), 1); // a stray voxel of label 1
        v.set(v.index(5, 0, 3), 2);
        Volume out = LabelMaps.keepLargestComponent(v, List.of(1, 2), Connectivity.TWENTY_SIX);
        assertThat(out.get(5, 4, 3)).isZero();
        assertThat(out.get(2, 0, 0)).isEqualTo(1);
        assertThat(out.get(5, 0, 3)).isEqualTo(2);
        assertThat(v.get(5, 4, 3)).as("input untouched").isEqualTo(1);
    }

    @Test
    void fillsEnclosedHolesButNotBackgroundReachingTheBorder() {
        Volume v = Volume.allocate(VoxelType.UINT8, A, 7, 7, 7);
        for (int z = 1; z <= 5; z++) {
            for (int y = 1; y <= 5; y++) {
                for (int x = 1; x <= 5; x++) {
                    boolean shell = x == 1 || x == 5 || y == 1 || y == 5 || z == 1 || z == 5;
                    v.set(v.index(x, y, z), shell ? 3 : 0);
                }
            }
        }
        Volume out = LabelMaps.fillHoles(v, List.of(3));
        assertThat(out.get(3, 3, 3)).isEqualTo(3);
        assertThat(out.get(0, 0, 0)).isZero();
    }

    @Test
    void argmaxKeepsFileOrderAndTheLowerIndexOnTies() {
        // (C=3, X=2, Y=3, Z=4) in C order
        float[] d = new float[3 * 24];
        d[24 + (1 * 3 + 2) * 4 + 3] = 5; // channel 1 wins at x=1, y=2, z=3
        d[2 * 24 + 0] = 1;
        d[24 + 0] = 1; // tie at x=y=z=0 between channels 1 and 2
        Volume labels = LabelMaps.argmax(new DenseArray(new int[] {3, 2, 3, 4}, d), A);
        assertThat(labels.shape()).containsExactly(2, 3, 4);
        assertThat(labels.get(1, 2, 3)).isEqualTo(1);
        assertThat(labels.get(0, 0, 0)).isEqualTo(1);
        assertThat(labels.get(1, 1, 1)).isZero();
        assertThat(labels.affine()).isEqualTo(A);
    }

    @Test
    void softmaxSumsToOneAndDenseArraysRoundTripThroughVolumes() {
        DenseArray logits = new DenseArray(new int[] {2, 2, 3, 4}, new float[48]);
        logits.data()[5] = 2;
        DenseArray p = LabelMaps.softmax(logits);
        assertThat(p.data()[5] + p.data()[24 + 5]).isCloseTo(1f, Offset.offset(1e-6f));
        Volume v = Volume.allocate(VoxelType.INT16, A, 2, 3, 4);
        v.set(v.index(1, 2, 3), 7);
        v.set(v.index(0, 1, 0), -3);
        DenseArray dense = DenseArray.fromVolume(v);
        assertThat(dense.shape()).containsExactly(1, 2, 3, 4);
        assertThat(dense.data()[(1 * 3 + 2) * 4 + 3]).isEqualTo(7);
        Volume back = dense.toVolume(A);
        Floats.assertIdentical(back.toFloatArray(), v.toFloatArray());
    }

    private static int index(int x, int y, int z) {
        return x + 4 * (y + 4 * z);
    }

    private static int max(int[] a) {
        return Arrays.stream(a).max().orElse(0);
    }
}
