package org.monailabel.engine.interactive;

import java.util.List;

/**
 * Guidance channels from clicks, as MONAI's {@code AddGuidanceSignal} makes them: each click is a
 * Gaussian of {@code sigma} voxels with peak 1, and a channel is the voxel-wise maximum of its
 * clicks' Gaussians (so it stays in [0, 1] however many clicks there are). Only the cube of +-3
 * sigma around each click is touched, so a click costs the same on a 64^3 crop and on a whole
 * volume. Arrays are C order {@code (X, Y, Z)}, the network layout. Stateless.
 */
public final class Guidance {
    /** The default smoothing, in voxels of the network grid. */
    public static final double SIGMA = 2.0;

    private Guidance() {}

    /**
     * Adds the clicks to one guidance channel in place.
     *
     * @param channel {@code shape[0] * shape[1] * shape[2]} values starting at {@code offset}
     * @param points clicks in the channel's voxel coordinates; clicks outside still reach in by
     *     their tails
     */
    public static void add(
            float[] channel, int offset, int[] shape, List<int[]> points, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        double inv = 1 / (2 * sigma * sigma);
        float[] g = new float[radius + 1];
        for (int d = 0; d <= radius; d++) {
            g[d] = (float) Math.exp(-d * d * inv);
        }
        for (int[] p : points) {
            int x0 = Math.max(0, p[0] - radius);
            int x1 = Math.min(shape[0] - 1, p[0] + radius);
            int y0 = Math.max(0, p[1] - radius);
            int y1 = Math.min(shape[1] - 1, p[1] + radius);
            int z0 = Math.max(0, p[2] - radius);
            int z1 = Math.min(shape[2] - 1, p[2] + radius);
            for (int x = x0; x <= x1; x++) {
                float gx = g[Math.abs(x - p[0])];
                for (int y = y0; y <= y1; y++) {
                    float gxy = gx * g[Math.abs(y - p[1])];
                    int row = offset + (x * shape[1] + y) * shape[2];
                    for (int z = z0; z <= z1; z++) {
                        float v = gxy * g[Math.abs(z - p[2])];
                        if (v > channel[row + z]) {
                            channel[row + z] = v;
                        }
                    }
                }
            }
        }
    }

    /**
     * A network input: the image followed by one guidance channel per click list, C order {@code (1
     * + clicks.size(), X, Y, Z)}.
     */
    public static float[] stack(
            float[] image, int[] shape, List<List<int[]>> clicks, double sigma) {
        int n = shape[0] * shape[1] * shape[2];
        float[] input = new float[n * (1 + clicks.size())];
        System.arraycopy(image, 0, input, 0, n);
        for (int c = 0; c < clicks.size(); c++) {
            add(input, n * (1 + c), shape, clicks.get(c), sigma);
        }
        return input;
    }
}
