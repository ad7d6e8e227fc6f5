package org.monailabel.engine.scoring;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Per-voxel statistics over several predictions of one image (Monte-Carlo dropout passes or
 * test-time augmentations), accumulated one pass at a time so that only the running mean and
 * squared deviation of each foreground channel are kept, never every pass. The variance is
 * Welford's, so passes that agree bit for bit give a variance of exactly 0. Not thread-safe.
 */
final class PassStatistics {
    /** Probabilities are clamped to this before the logarithm, as MONAI Label's entropy does. */
    static final float MIN_PROBABILITY = 5e-5f;

    private final int channels;
    private final int voxels;
    private final float[] mean; // (channels - 1) x voxels: foreground channels only
    private final float[] m2;
    private final BitSet foreground = new BitSet();
    private final long[] volumes;
    private int passes;

    /**
     * @param channels the network's output channels, background first (1: a single sigmoid channel)
     * @param voxels voxels per channel
     * @param maxPasses how many passes will be added at most
     */
    PassStatistics(int channels, int voxels, int maxPasses) {
        this.channels = channels;
        this.voxels = voxels;
        int fg = Math.max(1, channels - 1);
        this.mean = new float[fg * voxels];
        this.m2 = new float[fg * voxels];
        this.volumes = new long[maxPasses];
    }

    /**
     * Adds one pass.
     *
     * @param logits the network's blended output {@code (C, X, Y, Z)} in C order; overwritten with
     *     probabilities (softmax over channels, or the sigmoid of a single channel)
     */
    void add(float[] logits) {
        if (logits.length != Math.max(1, channels) * voxels) {
            throw new IllegalArgumentException(
                    "Expected " + channels + " x " + voxels + " values, got " + logits.length);
        }
        if (passes == volumes.length) {
            throw new IllegalStateException("Already " + passes + " passes");
        }
        toProbabilities(logits);
        passes++;
        long volume = 0;
        int fg = Math.max(1, channels - 1);
        for (int v = 0; v < voxels; v++) {
            float background = channels == 1 ? 1 - logits[v] : logits[v];
            boolean isForeground = false;
            for (int c = 0; c < fg; c++) {
                float p = logits[(channels == 1 ? 0 : c + 1) * voxels + v];
                isForeground |=
                        p > background; // argmax is a foreground channel (ties go to background)
                int i = c * voxels + v;
                float delta = p - mean[i];
                mean[i] += delta / passes;
                m2[i] += delta * (p - mean[i]);
            }
            if (isForeground) {
                volume++;
                foreground.set(v);
            }
        }
        volumes[passes - 1] = volume;
    }

    private void toProbabilities(float[] x) {
        if (channels == 1) {
            for (int v = 0; v < voxels; v++) {
                x[v] = (float) (1 / (1 + Math.exp(-x[v])));
            }
            return;
        }
        for (int v = 0; v < voxels; v++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++) {
                max = Math.max(max, x[c * voxels + v]);
            }
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += Math.exp(x[c * voxels + v] - max);
            }
            for (int c = 0; c < channels; c++) {
                x[c * voxels + v] = (float) (Math.exp(x[c * voxels + v] - max) / sum);
            }
        }
    }

    /** The statistics of the passes added so far. */
    Uncertainty result() {
        int fg = Math.max(1, channels - 1);
        double entropy = 0;
        double variance = 0;
        for (int v = foreground.nextSetBit(0); v >= 0; v = foreground.nextSetBit(v + 1)) {
            for (int c = 0; c < fg; c++) {
                int i = c * voxels + v;
                double p = Math.max(MIN_PROBABILITY, mean[i]);
                entropy -= p * Math.log(p);
                variance += passes == 0 ? 0 : m2[i] / passes;
            }
        }
        long region = foreground.cardinality();
        long[] v = Arrays.copyOf(volumes, passes);
        double meanVolume = Arrays.stream(v).average().orElse(0);
        double sq = Arrays.stream(v).mapToDouble(x -> (x - meanVolume) * (x - meanVolume)).sum();
        double vvc = meanVolume == 0 ? 0 : Math.sqrt(sq / passes) / meanVolume;
        return new Uncertainty(
                region == 0 ? 0 : entropy / region,
                region == 0 ? 0 : variance / region,
                vvc,
                region,
                passes);
    }

    /**
     * What several predictions of one image say about the model's certainty, over the predicted
     * foreground: the voxels that at least one pass assigned to a foreground label.
     *
     * @param entropy the mean over that region of the entropy of the mean foreground probabilities,
     *     {@code sum_c -p_c ln p_c} over the foreground channels (MONAI Label's per-voxel entropy)
     * @param variance the mean over that region of the summed per-channel variance across passes
     * @param vvc the volume variation coefficient: standard deviation over mean of the foreground
     *     volume of each pass (0 when no pass finds foreground)
     * @param region voxels in the region (on the model's grid)
     * @param passes the number of passes
     */
    record Uncertainty(double entropy, double variance, double vvc, long region, int passes) {}
}
