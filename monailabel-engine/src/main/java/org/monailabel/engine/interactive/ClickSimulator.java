package org.monailabel.engine.interactive;

import java.util.Optional;
import java.util.Random;

/**
 * A simulated user, as in the DeepGrow and DeepEdit papers and MONAI's {@code AddInitialSeedPoint}
 * / {@code FindDiscrepancyRegions} / {@code AddRandomGuidance}: the first click falls inside the
 * structure, later clicks inside the larger of the false-negative (a positive click) and the
 * false-positive region (a negative click) of the current prediction. Inside a region a click is
 * drawn with weight {@code exp(d) - 1}, {@code d} the chessboard distance to the region's border,
 * so it lands well inside, as a person would click, but not always at the same voxel; {@link
 * #deepest} is the deterministic choice used for evaluation. Masks are C-order {@code (X, Y, Z)}
 * byte arrays (non-zero = inside). Stateless.
 */
public final class ClickSimulator {
    /** A click: a voxel and whether it says "this belongs" (positive) or "this does not". */
    public record Click(int[] point, boolean positive) {}

    private ClickSimulator() {}

    /**
     * The chessboard distance of every voxel of a region to the nearest voxel outside it (the
     * outside of the array counts as outside); 0 outside the region. A two-pass chamfer transform.
     */
    public static int[] distance(byte[] region, int[] shape) {
        int nx = shape[0];
        int ny = shape[1];
        int nz = shape[2];
        int[] d = new int[region.length];
        int far = nx + ny + nz;
        for (int i = 0; i < d.length; i++) {
            d[i] = region[i] != 0 ? far : 0;
        }
        for (int pass = 0; pass < 2; pass++) {
            int step = pass == 0 ? 1 : -1;
            for (int x = pass == 0 ? 0 : nx - 1; x >= 0 && x < nx; x += step) {
                for (int y = pass == 0 ? 0 : ny - 1; y >= 0 && y < ny; y += step) {
                    for (int z = pass == 0 ? 0 : nz - 1; z >= 0 && z < nz; z += step) {
                        int i = (x * ny + y) * nz + z;
                        if (d[i] == 0) {
                            continue;
                        }
                        int best = d[i];
                        // the 13 neighbours already visited in this pass' order
                        for (int dx = -1; dx <= 0; dx++) {
                            for (int dy = -1; dy <= 1; dy++) {
                                for (int dz = -1; dz <= 1; dz++) {
                                    if (dx == 0 && (dy > 0 || dy == 0 && dz >= 0)) {
                                        continue;
                                    }
                                    int px = x + step * dx;
                                    int py = y + step * dy;
                                    int pz = z + step * dz;
                                    int n =
                                            px < 0 || py < 0 || pz < 0 || px >= nx || py >= ny
                                                            || pz >= nz
                                                    ? 0
                                                    : d[(px * ny + py) * nz + pz];
                                    best = Math.min(best, n + 1);
                                }
                            }
                        }
                        d[i] = best;
                    }
                }
            }
        }
        return d;
    }

    /** A voxel of the region drawn with weight {@code exp(d) - 1}; empty if the region is empty. */
    public static Optional<int[]> sample(byte[] region, int[] shape, Random random) {
        return pick(region, shape, random);
    }

    /**
     * The region's voxel farthest from its border (the first of equals); empty if the region is
     * empty.
     */
    public static Optional<int[]> deepest(byte[] region, int[] shape) {
        return pick(region, shape, null);
    }

    /** Draws (or, without a generator, takes the deepest) on the region's bounding box only. */
    private static Optional<int[]> pick(byte[] region, int[] shape, Random random) {
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1};
        for (int x = 0, i = 0; x < shape[0]; x++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int z = 0; z < shape[2]; z++, i++) {
                    if (region[i] != 0) {
                        lo[0] = Math.min(lo[0], x);
                        lo[1] = Math.min(lo[1], y);
                        lo[2] = Math.min(lo[2], z);
                        hi[0] = Math.max(hi[0], x);
                        hi[1] = Math.max(hi[1], y);
                        hi[2] = Math.max(hi[2], z);
                    }
                }
            }
        }
        if (hi[0] < 0) {
            return Optional.empty();
        }
        // the bounding box plus one voxel (outside the array counts as outside the region either
        // way)
        int[] start = {lo[0] - 1, lo[1] - 1, lo[2] - 1};
        CropBox box =
                new CropBox(
                        start, new int[] {hi[0] - lo[0] + 3, hi[1] - lo[1] + 3, hi[2] - lo[2] + 3});
        int[] size = box.size();
        int[] d = distance(box.crop(region, shape), size);
        int chosen = -1;
        if (random == null) {
            for (int i = 0; i < d.length; i++) {
                if (d[i] > 0 && (chosen < 0 || d[i] > d[chosen])) {
                    chosen = i;
                }
            }
        } else {
            double total = 0;
            for (int v : d) {
                total += v > 0 ? Math.expm1(Math.min(v, 40)) : 0;
            }
            double target = random.nextDouble() * total;
            for (int i = 0; i < d.length; i++) {
                if (d[i] > 0) {
                    target -= Math.expm1(Math.min(d[i], 40));
                    chosen = i;
                    if (target <= 0) {
                        break;
                    }
                }
            }
        }
        int[] p = point(chosen, size);
        return Optional.of(new int[] {p[0] + start[0], p[1] + start[1], p[2] + start[2]});
    }

    /**
     * The next correction for a binary prediction: in the larger of the false-negative and
     * false-positive regions; empty when the prediction is right everywhere.
     *
     * @param random the generator to draw with, or null for the deepest voxel
     */
    public static Optional<Click> next(
            byte[] truth, byte[] prediction, int[] shape, Random random) {
        byte[] fn = new byte[truth.length];
        byte[] fp = new byte[truth.length];
        long nFn = 0;
        long nFp = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean t = truth[i] != 0;
            boolean p = prediction[i] != 0;
            if (t && !p) {
                fn[i] = 1;
                nFn++;
            } else if (p && !t) {
                fp[i] = 1;
                nFp++;
            }
        }
        if (nFn + nFp == 0) {
            return Optional.empty();
        }
        boolean positive = nFn >= nFp;
        byte[] region = positive ? fn : fp;
        Optional<int[]> p = random == null ? deepest(region, shape) : sample(region, shape, random);
        return p.map(point -> new Click(point, positive));
    }

    /** The voxel coordinates of a C-order index. */
    static int[] point(int index, int[] shape) {
        return new int[] {
            index / (shape[1] * shape[2]), index / shape[2] % shape[1], index % shape[2]
        };
    }
}
