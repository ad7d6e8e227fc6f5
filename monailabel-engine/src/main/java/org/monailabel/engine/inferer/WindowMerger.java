package org.monailabel.engine.inferer;

import ai.djl.ndarray.NDArray;

/**
 * Accumulates weighted window outputs into heap buffers over the padded image, and averages them:
 * {@code sum(w * out) / sum(w)} per voxel. Not thread-safe: one per inference.
 */
final class WindowMerger implements Merger<DenseArray> {
    private final WindowPlan plan;
    private final int channels;
    private final int[] shape; // padded (X, Y, Z)
    private final int[] roi;
    private final float[] weights; // importance map, C order (X, Y, Z)
    private final float[] sums;
    private final float[] counts;

    WindowMerger(WindowPlan plan, int channels, float[] importance) {
        this.plan = plan;
        this.channels = channels;
        this.shape = plan.paddedShape();
        this.roi = plan.roi();
        this.weights = importance;
        long voxels = (long) shape[0] * shape[1] * shape[2];
        if (voxels * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Output of "
                            + channels
                            + " channels over "
                            + voxels
                            + " voxels exceeds 2^31 values");
        }
        this.sums = new float[(int) voxels * channels];
        this.counts = new float[(int) voxels];
    }

    @Override
    public void add(int[] start, NDArray window) {
        add(start, window.toFloatArray());
    }

    /**
     * Adds one window's output.
     *
     * @param out {@code (C, rx, ry, rz)} in C order
     */
    private void add(int[] start, float[] out) {
        int rx = roi[0];
        int ry = roi[1];
        int rz = roi[2];
        int windowVoxels = rx * ry * rz;
        int imageVoxels = shape[0] * shape[1] * shape[2];
        for (int x = 0; x < rx; x++) {
            for (int y = 0; y < ry; y++) {
                int w = (x * ry + y) * rz;
                int d = ((start[0] + x) * shape[1] + start[1] + y) * shape[2] + start[2];
                for (int z = 0; z < rz; z++) {
                    counts[d + z] += weights[w + z];
                }
                for (int c = 0; c < channels; c++) {
                    int src = c * windowVoxels + w;
                    int dst = c * imageVoxels + d;
                    for (int z = 0; z < rz; z++) {
                        sums[dst + z] += out[src + z] * weights[w + z];
                    }
                }
            }
        }
    }

    /** The weighted average over the image (padding cut off), {@code (C, X, Y, Z)}. */
    @Override
    public DenseArray result() {
        return plan.unpad(average());
    }

    /** The weighted average over the padded image, {@code (C, X, Y, Z)}. */
    private DenseArray average() {
        int imageVoxels = counts.length;
        float[] out = new float[sums.length];
        for (int c = 0; c < channels; c++) {
            int base = c * imageVoxels;
            for (int i = 0; i < imageVoxels; i++) {
                out[base + i] = sums[base + i] / counts[i];
            }
        }
        return new DenseArray(new int[] {channels, shape[0], shape[1], shape[2]}, out);
    }
}
