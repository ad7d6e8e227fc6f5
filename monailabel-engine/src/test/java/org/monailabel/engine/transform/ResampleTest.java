package org.monailabel.engine.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
}
