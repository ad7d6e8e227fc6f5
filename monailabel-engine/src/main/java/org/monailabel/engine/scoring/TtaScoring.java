package org.monailabel.engine.scoring;

import org.monailabel.api.Params;
import org.monailabel.engine.inferer.DenseArray;

/**
 * Test-time augmentation scoring: the served model runs on {@code num_samples} mirrored copies of
 * each image without a {@code final} label (default 5 of the 8 combinations of flips along the RAS
 * axes, the unflipped image first), each output is mirrored back, and their disagreement is stored
 * in the image info: {@code tta_vvc} (what the {@code tta} strategy ranks by, MONAI Label's key:
 * the volume variation coefficient of Wang et al., standard deviation over mean of the predicted
 * foreground volume of each copy), {@code tta_variance} (the mean per-voxel variance of the
 * foreground probabilities across copies over the predicted foreground), {@code tta_entropy},
 * {@code tta_ts} and {@code tta_version}. Works with any model (no dropout needed); images already
 * scored with the same model version are skipped. Apps subclass it with a no-arg constructor naming
 * the model, as {@link EpistemicScoring}.
 */
public abstract class TtaScoring extends UncertaintyScoring {
    /** The image-info key the {@code tta} strategy ranks by (MONAI Label's). */
    public static final String SCORE_KEY = "tta_vvc";

    /** The request parameter for the number of augmented copies (MONAI Label's). */
    public static final String NUM_SAMPLES = "num_samples";

    /** Flips along x, y, z of each pass: all 8 combinations, fewest flips first. */
    private static final boolean[][] FLIPS = {
        {false, false, false}, {true, false, false}, {false, true, false}, {false, false, true},
        {true, true, false}, {true, false, true}, {false, true, true}, {true, true, true}
    };

    private final int numSamples;

    /** Scores model {@code modelName} as {@code <modelName>_tta} with 5 copies. */
    protected TtaScoring(String modelName) {
        this(modelName + "_tta", "Compute initial score based on TTA - " + modelName, modelName, 5);
    }

    /**
     * @param numSamples copies per image unless the request says otherwise (2 to 8)
     */
    protected TtaScoring(String name, String description, String modelName, int numSamples) {
        super(name, description, modelName, "tta");
        this.numSamples = clamp(numSamples);
    }

    @Override
    public String scoreKey() {
        return SCORE_KEY;
    }

    @Override
    int passes(Params params) {
        return clamp(params.getInt(NUM_SAMPLES, numSamples));
    }

    private static int clamp(int n) {
        return Math.max(2, Math.min(FLIPS.length, n));
    }

    @Override
    DenseArray pass(int index, DenseArray input, Window run) {
        boolean[] flip = FLIPS[index];
        return flip(run.run(flip(input, flip), false), flip);
    }

    /** A {@code (C, X, Y, Z)} array mirrored along the flagged spatial axes (its own inverse). */
    static DenseArray flip(DenseArray a, boolean[] axes) {
        if (!axes[0] && !axes[1] && !axes[2]) {
            return a;
        }
        int[] s = a.shape();
        int nx = s[1];
        int ny = s[2];
        int nz = s[3];
        float[] src = a.data();
        float[] dst = new float[src.length];
        for (int c = 0; c < s[0]; c++) {
            int base = c * nx * ny * nz;
            for (int x = 0; x < nx; x++) {
                int fx = axes[0] ? nx - 1 - x : x;
                for (int y = 0; y < ny; y++) {
                    int fy = axes[1] ? ny - 1 - y : y;
                    int from = base + (x * ny + y) * nz;
                    int to = base + (fx * ny + fy) * nz;
                    if (axes[2]) {
                        for (int z = 0; z < nz; z++) {
                            dst[to + nz - 1 - z] = src[from + z];
                        }
                    } else {
                        System.arraycopy(src, from, dst, to, nz);
                    }
                }
            }
        }
        return new DenseArray(s, dst);
    }
}
