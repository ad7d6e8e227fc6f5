package org.monailabel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/**
 * Assertions on large float arrays. AssertJ's {@code containsExactly} computes a full diff on a
 * mismatch, which takes hours on a volume; these report the first difference instead.
 */
public final class Floats {
    private Floats() {}

    /** The arrays are identical, element by element. */
    public static void assertIdentical(float[] actual, float[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        int at = Arrays.mismatch(actual, expected);
        assertThat(at)
                .as(
                        "first differing element %d: %s instead of %s",
                        at, at < 0 ? "" : actual[at], at < 0 ? "" : expected[at])
                .isEqualTo(-1);
    }

    /** The largest absolute difference is at most {@code tolerance}. */
    public static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (d > worst || Double.isNaN(d)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
            }
        }
        assertThat(worst)
                .as(
                        "largest difference at %d: %s vs %s",
                        at, at < 0 ? "" : actual[at], at < 0 ? "" : expected[at])
                .isLessThanOrEqualTo(tolerance);
    }
}
