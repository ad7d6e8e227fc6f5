package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuidanceTest {
    static final int[] SHAPE = {20, 12, 7}; // non-cubic: catches swapped axes

    static int index(int x, int y, int z) {
        return (x * SHAPE[1] + y) * SHAPE[2] + z;
    }

    @Test
    void aClickIsAGaussianWithPeakOneAtItsVoxel() {
        float[] g = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        Guidance.add(g, 0, SHAPE, List.of(new int[] {10, 5, 3}), 2.0);
        assertThat(g[index(10, 5, 3)]).isEqualTo(1f);
        assertThat(g[index(12, 5, 3)]).isCloseTo((float) Math.exp(-4 / 8.0), within(1e-6f));
        assertThat(g[index(10, 6, 4)]).isCloseTo((float) Math.exp(-2 / 8.0), within(1e-6f));
        assertThat(g[index(17, 5, 3)]).as("beyond 3 sigma").isZero();
        assertThat(g[index(3, 5, 3)]).isZero();
    }

    @Test
    void clicksCombineByMaximumSoTheChannelStaysInUnitRange() {
        float[] g = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        Guidance.add(g, 0, SHAPE, List.of(new int[] {5, 5, 3}, new int[] {6, 5, 3}), 2.0);
        float max = 0;
        for (float v : g) {
            max = Math.max(max, v);
        }
        assertThat(max).isEqualTo(1f);
        assertThat(g[index(5, 5, 3)]).isEqualTo(1f);
        assertThat(g[index(6, 5, 3)]).isEqualTo(1f);
    }

    @Test
    void aClickOutsideReachesInByItsTail() {
        float[] g = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        Guidance.add(g, 0, SHAPE, List.of(new int[] {-2, 5, 3}), 2.0);
        assertThat(g[index(0, 5, 3)]).isCloseTo((float) Math.exp(-4 / 8.0), within(1e-6f));
    }

    @Test
    void stacksTheImageFirstThenOneChannelPerClickList() {
        int n = SHAPE[0] * SHAPE[1] * SHAPE[2];
        float[] image = new float[n];
        image[7] = 0.5f;
        float[] input =
                Guidance.stack(image, SHAPE, List.of(List.of(new int[] {1, 2, 3}), List.of()), 2.0);
        assertThat(input).hasSize(3 * n);
        assertThat(input[7]).isEqualTo(0.5f);
        assertThat(input[n + index(1, 2, 3)]).isEqualTo(1f);
        for (int i = 2 * n; i < 3 * n; i++) {
            assertThat(input[i]).isZero();
        }
    }
}
