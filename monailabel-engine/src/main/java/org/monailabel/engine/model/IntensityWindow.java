package org.monailabel.engine.model;

import ai.djl.ndarray.NDArray;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The intensity pre-processing of a model card: MONAI's {@code ScaleIntensityRange(aMin, aMax,
 * bMin, bMax, clip)}, optionally followed by {@code ScaleIntensity(minv, maxv)} (a rescale of the
 * result's own range), as MONAI Label's spleen app does (-57..164 HU to 0..1, then to -1..1).
 *
 * @param rescale whether to rescale afterwards to {@code [minv, maxv]}
 */
public record IntensityWindow(
        double aMin,
        double aMax,
        double bMin,
        double bMax,
        boolean clip,
        boolean rescale,
        double minv,
        double maxv) {
    public IntensityWindow {
        if (!(Double.isFinite(aMin) && Double.isFinite(aMax)) || aMin == aMax) {
            throw new IllegalArgumentException(
                    "Intensity window must be two different finite values: " + aMin + ".." + aMax);
        }
    }

    /** The spleen app's window: -57..164 HU to 0..1 clipped, then rescaled to -1..1. */
    public static IntensityWindow ct(double aMin, double aMax) {
        return new IntensityWindow(aMin, aMax, 0, 1, true, true, -1, 1);
    }

    /** The same on a float array, in place (for the memory-lean pipeline). */
    public float[] applyInPlace(float[] v) {
        return applyInPlace(FloatBuffer.wrap(v));
    }

    /**
     * The same on the first {@code limit()} floats of a buffer, in place, in parallel.
     *
     * @return the range {@code [min, max]} after the window (what the rescale maps)
     */
    public float[] applyInPlace(FloatBuffer v) {
        float[] range = windowInPlace(v, v.limit());
        if (rescale) {
            int n = v.limit();
            chunks(n)
                    .forEach(
                            c -> {
                                for (int i = c * CHUNK, end = Math.min(n, i + CHUNK);
                                        i < end;
                                        i++) {
                                    v.put(i, rescale(v.get(i), range[0], range[1]));
                                }
                            });
        }
        return range;
    }

    /**
     * The first step (the window, clipped if {@code clip}) of one value, exactly as {@link
     * #applyInPlace(FloatBuffer)} computes it.
     */
    public float window(float v) {
        double y = (v - aMin) * ((bMax - bMin) / (aMax - aMin)) + bMin;
        return (float) (clip ? Math.max(low(), Math.min(high(), y)) : y);
    }

    /**
     * The second step of one windowed value, given the windowed range {@code [min, max]} of the
     * whole image (only when {@link #rescale()} is on), exactly as {@link
     * #applyInPlace(FloatBuffer)} computes it.
     */
    public float rescale(float windowed, float min, float max) {
        double width = (double) max - min;
        return width == 0
                ? (float) minv
                : (float) ((windowed - (double) min) / width * (maxv - minv) + minv);
    }

    /** The lower clip bound of the window's output. */
    public double low() {
        return Math.min(bMin, bMax);
    }

    /** The upper clip bound of the window's output. */
    public double high() {
        return Math.max(bMin, bMax);
    }

    /**
     * The first step only (the window, clipped), in place on the first {@code n} floats, in
     * parallel.
     *
     * @return the smallest and largest value after windowing, for {@link
     *     #rescale(ai.djl.ndarray.NDArray, float, float)}
     */
    public float[] windowInPlace(FloatBuffer v, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        float[][] ranges = new float[chunks][];
        chunks(n)
                .forEach(
                        c -> {
                            float min = Float.POSITIVE_INFINITY;
                            float max = Float.NEGATIVE_INFINITY;
                            for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                                float f = window(v.get(i));
                                v.put(i, f);
                                min = Math.min(min, f);
                                max = Math.max(max, f);
                            }
                            ranges[c] = new float[] {min, max};
                        });
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float[] r : ranges) {
            min = Math.min(min, r[0]);
            max = Math.max(max, r[1]);
        }
        return new float[] {min, max};
    }

    /**
     * The second step (rescale of the windowed range {@code [min, max]} to {@code [minv, maxv]}) on
     * a tensor, in place; nothing when {@link #rescale()} is off.
     */
    public void rescale(NDArray windowed, float min, float max) {
        if (!rescale) {
            return;
        }
        double width = (double) max - min;
        if (width == 0) {
            windowed.muli(0).addi((float) minv);
        } else {
            windowed.subi(min).muli((float) ((maxv - minv) / width)).addi((float) minv);
        }
    }

    private static final int CHUNK = 1 << 20;

    private static IntStream chunks(int n) {
        return IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel();
    }

    Map<String, Object> toMap() {
        return Map.of(
                "a_min", aMin, "a_max", aMax, "b_min", bMin, "b_max", bMax, "clip", clip, "rescale",
                rescale, "minv", minv, "maxv", maxv);
    }

    static IntensityWindow fromMap(Map<String, ?> m) {
        return new IntensityWindow(
                num(m, "a_min", null),
                num(m, "a_max", null),
                num(m, "b_min", 0.0),
                num(m, "b_max", 1.0),
                !Boolean.FALSE.equals(m.get("clip")),
                Boolean.TRUE.equals(m.get("rescale")),
                num(m, "minv", -1.0),
                num(m, "maxv", 1.0));
    }

    private static double num(Map<String, ?> m, String key, Double fallback) {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v == null && fallback != null) {
            return fallback;
        }
        throw new IllegalArgumentException(
                "Model card intensity '" + key + "' must be a number, got " + v);
    }
}
