package org.monailabel.engine.inferer;

import java.util.Arrays;

/**
 * The weight of each voxel of a window when windows are merged, as MONAI's {@code
 * compute_importance_map}: ones for {@link BlendMode#CONSTANT}; for {@link BlendMode#GAUSSIAN} the
 * product over axes of {@code exp(-x^2 / (2 sigma^2))} with {@code x} measured from the window's
 * centre, {@code (roi - 1) / 2}, and {@code sigma = sigmaScale * roi}, clamped below at {@code
 * max(min, 1e-3)} so that no voxel gets zero weight.
 */
public final class ImportanceMap {
    private ImportanceMap() {}

    /** The map in C order {@code (X, Y, Z)}. */
    public static float[] of(int[] roi, BlendMode mode, double sigmaScale) {
        int n = roi[0] * roi[1] * roi[2];
        float[] map = new float[n];
        if (mode == BlendMode.CONSTANT) {
            Arrays.fill(map, 1f);
            return map;
        }
        float[][] axes = new float[3][];
        for (int a = 0; a < 3; a++) {
            axes[a] = new float[roi[a]];
            float sigma = (float) (roi[a] * sigmaScale);
            for (int i = 0; i < roi[a]; i++) {
                float x = i - (roi[a] - 1) / 2f;
                axes[a][i] = (float) Math.exp(x * x / (-2 * sigma * sigma));
            }
        }
        float min = Float.POSITIVE_INFINITY;
        int i = 0;
        for (int x = 0; x < roi[0]; x++) {
            for (int y = 0; y < roi[1]; y++) {
                float xy = axes[0][x] * axes[1][y];
                for (int z = 0; z < roi[2]; z++) {
                    map[i] = xy * axes[2][z];
                    min = Math.min(min, map[i++]);
                }
            }
        }
        float floor = Math.max(min, 1e-3f);
        for (int k = 0; k < n; k++) {
            map[k] = Math.max(map[k], floor);
        }
        return map;
    }
}
