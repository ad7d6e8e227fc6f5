package org.monailabel.engine.inferer;

/**
 * Accumulates weighted window outputs into heap buffers over the padded image, and averages them:
 * {@code sum(w * out) / sum(w)} per voxel. Not thread-safe: one per inference.
 */
final class WindowMerger {
    private final int channels;
    private final int[] shape; // padded (X, Y, Z)
    private final int[] roi;
    private final float[] weights; // importance map, C order (X, Y, Z)
    private final float[] sums;
    private final float[] counts;

    WindowMerger(int channels, int[] paddedShape, int[] roi, float[] importance) {
        this.channels = channels;
        this.shape = paddedShape.clone();
        this.roi = roi.clone();
        this.weights = importance;
        long voxels = (long) shape[0] * shape[1] * shape[2];
        if (voxels * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Output of " + channels + " channels over " + voxels + " voxels exceeds 2^31 values");
        }
        this.sums = new float[(int) voxels * channels];
        this.counts = new float[(int) voxels];
    }

    int channels() {
        return channels;
    }

    /**
     * Adds one window's output.
     *
     * @param out {@code (C, rx, ry, rz)} in C order, starting at {@code offset} in the array
     */
    void add(int[] start, float[] out, int offset) {
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
                    int src = offset + c * windowVoxels + w;
                    int dst = c * imageVoxels + d;
                    for (int z = 0; z < rz; z++) {
                        sums[dst + z] += out[src + z] * weights[w + z];
                    }
                }
            }
        }
    }

    /** The weighted average over the padded image, {@code (C, X, Y, Z)}. */
    DenseArray average() {
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
