package org.monailabel.engine.transform;

import java.nio.FloatBuffer;
import java.util.function.DoubleUnaryOperator;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Intensity transforms as MONAI computes them; each returns a new float32 volume. Test sources
 * only: the serving and training pipelines window intensities in place with {@code
 * model.IntensityWindow}; {@code TransformOracleTest} uses these to rebuild MONAI's pre-processing
 * step by step against its oracle.
 */
public final class Intensity {
    private Intensity() {}

    /**
     * MONAI's {@code ScaleIntensityRange}: maps {@code [aMin, aMax]} linearly onto {@code [bMin,
     * bMax]}, optionally clipping to {@code [bMin, bMax]} (e.g. a CT window -57..164 HU to 0..1).
     */
    public static Volume scaleRange(
            Volume v, double aMin, double aMax, double bMin, double bMax, boolean clip) {
        if (aMax == aMin) {
            throw new IllegalArgumentException("Intensity window is empty: " + aMin + ".." + aMax);
        }
        double scale = (bMax - bMin) / (aMax - aMin);
        double lo = Math.min(bMin, bMax);
        double hi = Math.max(bMin, bMax);
        return map(
                v,
                x -> {
                    double y = (x - aMin) * scale + bMin;
                    return clip ? Math.max(lo, Math.min(hi, y)) : y;
                });
    }

    /**
     * MONAI's {@code ScaleIntensity(minv, maxv)}: rescales the volume's own range onto {@code
     * [minv, maxv]}; a constant volume becomes {@code minv}.
     */
    public static Volume scaleMinMax(Volume v, double minv, double maxv) {
        float[] data = v.toFloatArray();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float f : data) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        double lo = min;
        double range = max - min;
        if (range == 0) {
            return map(v, x -> minv);
        }
        return map(v, x -> (x - lo) / range * (maxv - minv) + minv);
    }

    private static Volume map(Volume v, DoubleUnaryOperator f) {
        Volume out =
                Volume.allocate(VoxelType.FLOAT32, v.affine(), v.shape())
                        .withMetadata(v.metadata());
        FloatBuffer dst = out.data().asFloatBuffer();
        if (v.type() == VoxelType.FLOAT32) {
            FloatBuffer src = v.data().asFloatBuffer();
            for (int i = 0; i < src.limit(); i++) {
                dst.put(i, (float) f.applyAsDouble(src.get(i)));
            }
        } else {
            long n = v.voxelCount();
            for (int i = 0; i < n; i++) {
                dst.put(i, (float) f.applyAsDouble(v.get(i)));
            }
        }
        return out;
    }
}
