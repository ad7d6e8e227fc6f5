package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClickSimulatorTest {
    static final int[] SHAPE = {15, 11, 9};

    static byte[] box(int[] lo, int[] hi) {
        byte[] m = new byte[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        for (int x = lo[0]; x <= hi[0]; x++) {
            for (int y = lo[1]; y <= hi[1]; y++) {
                for (int z = lo[2]; z <= hi[2]; z++) {
                    m[(x * SHAPE[1] + y) * SHAPE[2] + z] = 1;
                }
            }
        }
        return m;
    }

    @Test
    void distanceIsChessboardToTheBorderAndTheArrayEdgeCounts() {
        byte[] cube = box(new int[] {2, 2, 2}, new int[] {8, 8, 6});
        int[] d = ClickSimulator.distance(cube, SHAPE);
        assertThat(d[(5 * SHAPE[1] + 5) * SHAPE[2] + 4]).isEqualTo(3); // 5-2+1, 6-4+1
        assertThat(d[(2 * SHAPE[1] + 5) * SHAPE[2] + 4]).isEqualTo(1);
        assertThat(d[0]).isZero();
        byte[] edge = box(new int[] {0, 0, 0}, new int[] {3, 10, 8});
        assertThat(ClickSimulator.distance(edge, SHAPE)[(0 * SHAPE[1] + 5) * SHAPE[2] + 4])
                .isEqualTo(1);
    }

    @Test
    void theDeepestVoxelIsTheCentreOfABox() {
        assertThat(
                        ClickSimulator.deepest(
                                        box(new int[] {4, 2, 1}, new int[] {10, 8, 7}), SHAPE)
                                .orElseThrow())
                .containsExactly(7, 5, 4);
        assertThat(ClickSimulator.deepest(new byte[SHAPE[0] * SHAPE[1] * SHAPE[2]], SHAPE))
                .isEmpty();
    }

    @Test
    void drawnClicksFallInsideTheRegionAndRepeatWithTheSeed() {
        byte[] region = box(new int[] {3, 3, 3}, new int[] {9, 7, 6});
        Random a = new Random(5);
        Random b = new Random(5);
        for (int i = 0; i < 50; i++) {
            int[] p = ClickSimulator.sample(region, SHAPE, a).orElseThrow();
            assertThat(region[(p[0] * SHAPE[1] + p[1]) * SHAPE[2] + p[2]]).isEqualTo((byte) 1);
            assertThat(ClickSimulator.sample(region, SHAPE, b).orElseThrow()).containsExactly(p);
        }
    }

    @Test
    void correctsTheLargerErrorWithTheRightSign() {
        byte[] truth = box(new int[] {2, 2, 2}, new int[] {10, 8, 6});
        byte[] under = box(new int[] {2, 2, 2}, new int[] {4, 8, 6}); // most of the truth missed
        ClickSimulator.Click add = ClickSimulator.next(truth, under, SHAPE, null).orElseThrow();
        assertThat(add.positive()).isTrue();
        assertThat(add.point()[0]).isGreaterThan(4);
        byte[] over = box(new int[] {0, 0, 0}, new int[] {14, 10, 8}); // everything claimed
        ClickSimulator.Click remove =
                ClickSimulator.next(truth, over, SHAPE, new Random(1)).orElseThrow();
        assertThat(remove.positive()).isFalse();
        assertThat(
                        truth[
                                (remove.point()[0] * SHAPE[1] + remove.point()[1]) * SHAPE[2]
                                        + remove.point()[2]])
                .isZero();
        assertThat(ClickSimulator.next(truth, truth, SHAPE, null)).isEmpty();
    }
}
