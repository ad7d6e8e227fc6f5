package org.monailabel.engine.transform;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Resampling of a volume onto another grid of the same world, as MONAI's {@code SpatialResample}
 * does with {@code padding_mode="border"} and {@code align_corners=False}: output voxel {@code d}
 * takes the input's value at the continuous voxel position {@code inverse(A_in) * A_out * d},
 * clamped to the input's voxel centres. Output is float32, channels kept; slices are computed in
 * parallel.
 */
public final class Resample {
    private Resample() {}

    /** The volume resampled onto {@code target}. */
    public static Volume resample(Volume source, Grid target, Interpolation mode) {
        int[] in = source.shape();
        int[] outShape3 = target.shape();
        int channels = source.channels();
        int[] outShape =
                channels > 1 || in.length == 4
                        ? new int[] {outShape3[0], outShape3[1], outShape3[2], channels}
                        : outShape3;
        Affine xform = source.affine().inverse().multiply(target.affine());
        Volume result =
                Volume.allocate(VoxelType.FLOAT32, target.affine(), outShape)
                        .withMetadata(source.metadata());
        VoxelAccess src = VoxelAccess.of(source);
        FloatBuffer dst = result.data().asFloatBuffer();
        long inChannel = (long) in[0] * in[1] * in[2];
        long outChannel = (long) outShape3[0] * outShape3[1] * outShape3[2];
        for (int c = 0; c < channels; c++) {
            int inBase = Math.toIntExact(c * inChannel);
            int outBase = Math.toIntExact(c * outChannel);
            IntStream.range(0, outShape3[2])
                    .parallel()
                    .forEach(
                            k ->
                                    resampleSlice(
                                            src, inBase, in, xform, dst, outBase, outShape3, k,
                                            mode));
        }
        return result;
    }

    /**
     * Trilinear resampling of a single-channel volume onto {@code target}, written in C order
     * {@code (X, Y, Z)} (z fastest, the layout networks take) as floats, reading the source in
     * place whatever its voxel type: one output array is all this allocates.
     */
    public static float[] resampleToDense(Volume source, Grid target) {
        int[] out = target.shape();
        long n = (long) out[0] * out[1] * out[2];
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Resampled grid of " + n + " voxels exceeds 2^31");
        }
        float[] dense = new float[(int) n];
        resampleToDense(source, target, FloatBuffer.wrap(dense));
        return dense;
    }

    /** As {@link #resampleToDense(Volume, Grid)}, writing into {@code dense} (from index 0). */
    public static void resampleToDense(Volume source, Grid target, FloatBuffer dense) {
        resampleToDense(source, target, dense, 0, target.shape()[0]);
    }

    /**
     * As {@link #resampleToDense(Volume, Grid)} for the output planes {@code x0 <= x < x0 + count}
     * only, written into {@code dense} from index 0 ({@code count x Y x Z} values, C order): a
     * large grid can be resampled slab by slab through a small buffer.
     */
    public static void resampleToDense(
            Volume source, Grid target, FloatBuffer dense, int x0, int count) {
        int[] out = target.shape();
        if (x0 < 0 || count < 0 || x0 + count > out[0]) {
            throw new IllegalArgumentException(
                    "Bad slab " + x0 + "+" + count + " of " + Arrays.toString(out));
        }
        resampleBoxToDense(
                source, target, new int[] {x0, 0, 0}, new int[] {count, out[1], out[2]}, 0f, dense);
    }

    /**
     * The box {@code start <= d < start + size} of {@code target} (it may reach beyond the grid),
     * resampled as {@link #resampleToDense(Volume, Grid)} would resample the whole grid, written
     * into {@code dense} from index 0 in C order {@code (X, Y, Z)} of the box; voxels of the box
     * outside the grid take {@code fill}. Every voxel inside the grid gets exactly the value that
     * the whole grid's resampling gives it (the same arithmetic on the same grid indices), so a
     * region can be prepared without the rest.
     */
    public static void resampleBoxToDense(
            Volume source, Grid target, int[] start, int[] size, float fill, FloatBuffer dense) {
        if (source.channels() != 1) {
            throw new IllegalArgumentException(
                    "resampleToDense takes one channel, got " + source.channels());
        }
        if (start.length != 3
                || size.length != 3
                || Arrays.stream(size).anyMatch(n -> n < 0)
                || (long) size[0] * size[1] * size[2] > dense.capacity()) {
            throw new IllegalArgumentException(
                    "Bad box " + Arrays.toString(start) + "+" + Arrays.toString(size));
        }
        int[] in = source.shape();
        int[] out = target.shape();
        VoxelAccess src = VoxelAccess.of(source);
        Affine t = source.affine().inverse().multiply(target.affine());
        int[] driver = axisAligned(t);
        if (driver != null) {
            separable(src, in, out, t, driver, dense, start, size, fill);
            return;
        }
        int nx = in[0];
        int nxy = in[0] * in[1];
        IntStream.range(0, size[0])
                .parallel()
                .forEach(
                        bxi -> {
                            int x = start[0] + bxi;
                            for (int byi = 0; byi < size[1]; byi++) {
                                int y = start[1] + byi;
                                int o = (bxi * size[1] + byi) * size[2];
                                if (x < 0 || y < 0 || x >= out[0] || y >= out[1]) {
                                    fill(dense, o, size[2], fill);
                                    continue;
                                }
                                double bx = t.get(0, 0) * x + t.get(0, 1) * y + t.get(0, 3);
                                double by = t.get(1, 0) * x + t.get(1, 1) * y + t.get(1, 3);
                                double bz = t.get(2, 0) * x + t.get(2, 1) * y + t.get(2, 3);
                                for (int bzi = 0; bzi < size[2]; bzi++) {
                                    int z = start[2] + bzi;
                                    if (z < 0 || z >= out[2]) {
                                        dense.put(o + bzi, fill);
                                        continue;
                                    }
                                    double px = clamp(bx + t.get(0, 2) * z, in[0] - 1);
                                    double py = clamp(by + t.get(1, 2) * z, in[1] - 1);
                                    double pz = clamp(bz + t.get(2, 2) * z, in[2] - 1);
                                    dense.put(o + bzi, trilinear(src, nx, nxy, in, px, py, pz));
                                }
                            }
                        });
    }

    private static void fill(FloatBuffer dense, int from, int count, float value) {
        for (int i = 0; i < count; i++) {
            dense.put(from + i, value);
        }
    }

    /**
     * For a voxel-to-voxel transform that only permutes, flips, scales and shifts the axes (the
     * usual case: no oblique rotation between the grids), the output axis that drives each input
     * axis; null otherwise.
     */
    private static int[] axisAligned(Affine t) {
        int[] driver = new int[3];
        boolean[] used = new boolean[3];
        for (int i = 0; i < 3; i++) {
            driver[i] = -1;
            for (int j = 0; j < 3; j++) {
                if (t.get(i, j) != 0) {
                    if (driver[i] >= 0 || used[j]) {
                        return null;
                    }
                    driver[i] = j;
                    used[j] = true;
                }
            }
            if (driver[i] < 0) {
                return null;
            }
        }
        return driver;
    }

    /**
     * Trilinear resampling when every input axis follows one output axis: the input positions,
     * neighbours and fractions are computed once per output coordinate of the box instead of per
     * voxel. The arithmetic per voxel is that of {@link #trilinear}.
     */
    private static void separable(
            VoxelAccess src,
            int[] in,
            int[] out,
            Affine t,
            int[] driver,
            FloatBuffer dense,
            int[] start,
            int[] size,
            float fill) {
        int[] stride = {1, in[0], in[0] * in[1]};
        int[][] lo = new int[3][];
        int[][] hi = new int[3][];
        double[][] f = new double[3][];
        for (int i = 0; i < 3; i++) {
            int d = driver[i];
            int n = size[d];
            lo[i] = new int[n];
            hi[i] = new int[n];
            f[i] = new double[n];
            for (int b = 0; b < n; b++) {
                int k = Math.max(0, Math.min(out[d] - 1, start[d] + b)); // outside: filled below
                double p = clamp(t.get(i, d) * k + t.get(i, 3), in[i] - 1);
                int p0 = (int) p;
                lo[i][b] = p0 * stride[i];
                hi[i][b] = Math.min(p0 + 1, in[i] - 1) * stride[i];
                f[i][b] = p - p0;
            }
        }
        int zFrom = Math.max(0, Math.min(size[2], -start[2]));
        int zTo = Math.max(zFrom, Math.min(size[2], out[2] - start[2]));
        IntStream.range(0, size[0])
                .parallel()
                .forEach(
                        bxi -> {
                            int x = start[0] + bxi;
                            int[] c = new int[3];
                            c[0] = bxi;
                            for (int byi = 0; byi < size[1]; byi++) {
                                int y = start[1] + byi;
                                int o = (bxi * size[1] + byi) * size[2];
                                if (x < 0 || y < 0 || x >= out[0] || y >= out[1]) {
                                    fill(dense, o, size[2], fill);
                                    continue;
                                }
                                fill(dense, o, zFrom, fill);
                                fill(dense, o + zTo, size[2] - zTo, fill);
                                c[1] = byi;
                                for (int bzi = zFrom; bzi < zTo; bzi++) {
                                    c[2] = bzi;
                                    int kx = c[driver[0]];
                                    int ky = c[driver[1]];
                                    int kz = c[driver[2]];
                                    int xa = lo[0][kx];
                                    int xb = hi[0][kx];
                                    double fx = f[0][kx];
                                    int p00 = lo[1][ky] + lo[2][kz];
                                    int p10 = hi[1][ky] + lo[2][kz];
                                    int p01 = lo[1][ky] + hi[2][kz];
                                    int p11 = hi[1][ky] + hi[2][kz];
                                    double c00 =
                                            src.get(p00 + xa)
                                                    + (src.get(p00 + xb) - src.get(p00 + xa)) * fx;
                                    double c10 =
                                            src.get(p10 + xa)
                                                    + (src.get(p10 + xb) - src.get(p10 + xa)) * fx;
                                    double c01 =
                                            src.get(p01 + xa)
                                                    + (src.get(p01 + xb) - src.get(p01 + xa)) * fx;
                                    double c11 =
                                            src.get(p11 + xa)
                                                    + (src.get(p11 + xb) - src.get(p11 + xa)) * fx;
                                    double fy = f[1][ky];
                                    double c0 = c00 + (c10 - c00) * fy;
                                    double c1 = c01 + (c11 - c01) * fy;
                                    dense.put(o + bzi, (float) (c0 + (c1 - c0) * f[2][kz]));
                                }
                            }
                        });
    }

    /**
     * Nearest-neighbour resampling of a label map onto {@code target}, keeping its voxel type (no
     * float copy): for putting a result back on the input's grid.
     */
    public static Volume resampleLabels(Volume labels, Grid target) {
        int[] in = labels.shape();
        int[] out = target.shape();
        Affine t = labels.affine().inverse().multiply(target.affine());
        Volume result =
                Volume.allocate(labels.type(), target.affine(), out)
                        .withMetadata(labels.metadata());
        ByteBuffer src = labels.data();
        ByteBuffer dst = result.data();
        int bytes = labels.type().bytes();
        boolean sameOrder = src.order() == dst.order();
        IntStream.range(0, out[2])
                .parallel()
                .forEach(
                        k -> {
                            byte[] voxel = new byte[bytes];
                            for (int j = 0; j < out[1]; j++) {
                                double bx = t.get(0, 1) * j + t.get(0, 2) * k + t.get(0, 3);
                                double by = t.get(1, 1) * j + t.get(1, 2) * k + t.get(1, 3);
                                double bz = t.get(2, 1) * j + t.get(2, 2) * k + t.get(2, 3);
                                for (int i = 0; i < out[0]; i++) {
                                    int x = (int) Math.rint(clamp(bx + t.get(0, 0) * i, in[0] - 1));
                                    int y = (int) Math.rint(clamp(by + t.get(1, 0) * i, in[1] - 1));
                                    int z = (int) Math.rint(clamp(bz + t.get(2, 0) * i, in[2] - 1));
                                    int from = (x + in[0] * (y + in[1] * z)) * bytes;
                                    int to = (i + out[0] * (j + out[1] * k)) * bytes;
                                    if (bytes == 1) {
                                        dst.put(to, src.get(from));
                                    } else {
                                        src.get(from, voxel);
                                        if (!sameOrder) {
                                            for (int a = 0, b = bytes - 1; a < b; a++, b--) {
                                                byte tmp = voxel[a];
                                                voxel[a] = voxel[b];
                                                voxel[b] = tmp;
                                            }
                                        }
                                        dst.put(to, voxel);
                                    }
                                }
                            }
                        });
        return result;
    }

    private static float trilinear(
            VoxelAccess s, int nx, int nxy, int[] in, double x, double y, double z) {
        int x0 = (int) x;
        int y0 = (int) y;
        int z0 = (int) z;
        double fx = x - x0;
        double fy = y - y0;
        double fz = z - z0;
        int x1 = Math.min(x0 + 1, in[0] - 1);
        int y1 = Math.min(y0 + 1, in[1] - 1);
        int z1 = Math.min(z0 + 1, in[2] - 1);
        int p00 = y0 * nx + z0 * nxy;
        int p10 = y1 * nx + z0 * nxy;
        int p01 = y0 * nx + z1 * nxy;
        int p11 = y1 * nx + z1 * nxy;
        double c00 = s.get(p00 + x0) + (s.get(p00 + x1) - s.get(p00 + x0)) * fx;
        double c10 = s.get(p10 + x0) + (s.get(p10 + x1) - s.get(p10 + x0)) * fx;
        double c01 = s.get(p01 + x0) + (s.get(p01 + x1) - s.get(p01 + x0)) * fx;
        double c11 = s.get(p11 + x0) + (s.get(p11 + x1) - s.get(p11 + x0)) * fx;
        double c0 = c00 + (c10 - c00) * fy;
        double c1 = c01 + (c11 - c01) * fy;
        return (float) (c0 + (c1 - c0) * fz);
    }

    private static void resampleSlice(
            VoxelAccess whole,
            int inBase,
            int[] in,
            Affine t,
            FloatBuffer dst,
            int outBase,
            int[] out,
            int k,
            Interpolation mode) {
        VoxelAccess src = inBase == 0 ? whole : i -> whole.get(inBase + i);
        int nx = in[0];
        int nxy = in[0] * in[1];
        double maxX = in[0] - 1;
        double maxY = in[1] - 1;
        double maxZ = in[2] - 1;
        for (int j = 0; j < out[1]; j++) {
            double bx = t.get(0, 1) * j + t.get(0, 2) * k + t.get(0, 3);
            double by = t.get(1, 1) * j + t.get(1, 2) * k + t.get(1, 3);
            double bz = t.get(2, 1) * j + t.get(2, 2) * k + t.get(2, 3);
            int o = outBase + (k * out[1] + j) * out[0];
            for (int i = 0; i < out[0]; i++) {
                double x = clamp(bx + t.get(0, 0) * i, maxX);
                double y = clamp(by + t.get(1, 0) * i, maxY);
                double z = clamp(bz + t.get(2, 0) * i, maxZ);
                float v;
                if (mode == Interpolation.NEAREST) {
                    v =
                            src.get(
                                    (int) Math.rint(x)
                                            + nx * (int) Math.rint(y)
                                            + nxy * (int) Math.rint(z));
                } else {
                    v = trilinear(src, nx, nxy, in, x, y, z);
                }
                dst.put(o + i, v);
            }
        }
    }

    private static double clamp(double v, double max) {
        return v <= 0 ? 0 : Math.min(v, max);
    }
}
