package org.monailabel.engine.interactive;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.transform.Grid;

/**
 * A fixed-size box on the network grid (the pre-processed image) around the clicks, how DeepGrow
 * sees a structure: the crop is cut out (padded where it leaves the image), run through the
 * network, and its mask pasted back onto the input grid by nearest neighbour, exactly as the
 * whole-volume pipeline inverts its resampling (same rounding), so that a mask voxel lands where
 * the input voxel it came from lies. Voxels of the input grid outside the box stay 0.
 *
 * @param start the first voxel on the network grid (may be negative: padding)
 * @param size voxels per axis
 */
public record CropBox(int[] start, int[] size) {
    public CropBox {
        start = start.clone();
        size = size.clone();
    }

    @Override
    public int[] start() {
        return start.clone();
    }

    @Override
    public int[] size() {
        return size.clone();
    }

    /** Voxels in the box. */
    public int voxels() {
        return size[0] * size[1] * size[2];
    }

    /**
     * The box of {@code size} centred on the middle of the clicks' bounding box (network-grid
     * voxels), pulled inside the image where the image is larger than the box, centred on the image
     * where it is smaller (MONAI's {@code SpatialCropGuidance} with a fixed size).
     */
    public static CropBox around(List<int[]> clicks, int[] gridShape, int[] size) {
        if (clicks.isEmpty()) {
            throw new IllegalArgumentException("A crop needs at least one click");
        }
        int[] start = new int[3];
        for (int a = 0; a < 3; a++) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int[] c : clicks) {
                lo = Math.min(lo, c[a]);
                hi = Math.max(hi, c[a]);
            }
            int s = (lo + hi) / 2 - size[a] / 2;
            start[a] =
                    gridShape[a] >= size[a]
                            ? Math.max(0, Math.min(s, gridShape[a] - size[a]))
                            : -((size[a] - gridShape[a]) / 2);
        }
        return new CropBox(start, size);
    }

    /** A point on the network grid in the box's own voxel coordinates. */
    public int[] toBox(int[] point) {
        return new int[] {point[0] - start[0], point[1] - start[1], point[2] - start[2]};
    }

    /** The box cut out of a C-order {@code (X, Y, Z)} array, {@code fill} outside it. */
    public float[] crop(float[] values, int[] shape, float fill) {
        float[] out = new float[voxels()];
        int o = 0;
        for (int x = 0; x < size[0]; x++) {
            int sx = start[0] + x;
            for (int y = 0; y < size[1]; y++, o += size[2]) {
                int sy = start[1] + y;
                if (sx < 0 || sy < 0 || sx >= shape[0] || sy >= shape[1]) {
                    Arrays.fill(out, o, o + size[2], fill);
                    continue;
                }
                int row = (sx * shape[1] + sy) * shape[2];
                for (int z = 0; z < size[2]; z++) {
                    int sz = start[2] + z;
                    out[o + z] = sz >= 0 && sz < shape[2] ? values[row + sz] : fill;
                }
            }
        }
        return out;
    }

    /** As {@link #crop(float[], int[], float)} for a byte label. */
    public byte[] crop(byte[] values, int[] shape) {
        byte[] out = new byte[voxels()];
        int o = 0;
        for (int x = 0; x < size[0]; x++) {
            int sx = start[0] + x;
            for (int y = 0; y < size[1]; y++, o += size[2]) {
                int sy = start[1] + y;
                if (sx < 0 || sy < 0 || sx >= shape[0] || sy >= shape[1]) {
                    continue;
                }
                int row = (sx * shape[1] + sy) * shape[2];
                for (int z = 0; z < size[2]; z++) {
                    int sz = start[2] + z;
                    if (sz >= 0 && sz < shape[2]) {
                        out[o + z] = values[row + sz];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Pastes a mask of this box (C order, values 0..255) onto the input grid: each input voxel
     * takes the value of the network-grid voxel nearest to it (clamped to the network grid, as
     * {@code Resample.resampleLabels} does for the whole-volume pipeline) if that voxel is in the
     * box, else 0. Only input voxels whose position can reach the box are visited.
     *
     * @param network the network grid the box lives on
     * @param input the input image's grid (shape in file order, affine)
     * @param slice the only input k index to fill (2-D models), or -1 for all
     * @return a {@code uint8} label on the input grid
     */
    public Volume pasteBack(byte[] mask, Grid network, Grid input, int slice) {
        int[] in = input.shape();
        int[] g = network.shape();
        Volume out = Volume.allocate(VoxelType.UINT8, input.affine(), in);
        ByteBuffer dst = out.data();
        Affine t =
                network.affine().inverse().multiply(input.affine()); // input voxel -> network voxel
        int[][] range = inputRange(t.inverse(), in, g);
        int k0 = slice >= 0 ? Math.max(range[0][2], slice) : range[0][2];
        int k1 = slice >= 0 ? Math.min(range[1][2], slice + 1) : range[1][2];
        int[] lo = {Math.max(0, start[0]), Math.max(0, start[1]), Math.max(0, start[2])};
        int[] hi = {
            Math.min(g[0], start[0] + size[0]),
            Math.min(g[1], start[1] + size[1]),
            Math.min(g[2], start[2] + size[2])
        };
        IntStream.range(k0, Math.max(k0, k1))
                .parallel()
                .forEach(
                        k -> {
                            for (int j = range[0][1]; j < range[1][1]; j++) {
                                double bx = t.get(0, 1) * j + t.get(0, 2) * k + t.get(0, 3);
                                double by = t.get(1, 1) * j + t.get(1, 2) * k + t.get(1, 3);
                                double bz = t.get(2, 1) * j + t.get(2, 2) * k + t.get(2, 3);
                                int rowOut = in[0] * (j + in[1] * k);
                                for (int i = range[0][0]; i < range[1][0]; i++) {
                                    int x = clamp((int) Math.rint(bx + t.get(0, 0) * i), g[0]);
                                    int y = clamp((int) Math.rint(by + t.get(1, 0) * i), g[1]);
                                    int z = clamp((int) Math.rint(bz + t.get(2, 0) * i), g[2]);
                                    if (x < lo[0]
                                            || y < lo[1]
                                            || z < lo[2]
                                            || x >= hi[0]
                                            || y >= hi[1]
                                            || z >= hi[2]) {
                                        continue;
                                    }
                                    byte v =
                                            mask[
                                                    ((x - start[0]) * size[1] + (y - start[1]))
                                                                    * size[2]
                                                            + (z - start[2])];
                                    if (v != 0) {
                                        dst.put(rowOut + i, v);
                                    }
                                }
                            }
                        });
        return out;
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : v >= size ? size - 1 : v;
    }

    /**
     * The input voxels (a box, end exclusive, clamped to the image) whose nearest network voxel can
     * lie in this box: the box's corners, widened by half a voxel, mapped onto the input grid;
     * where the box reaches the network grid's edge, everything beyond it clamps into the box, so
     * that side is widened without limit.
     */
    private int[][] inputRange(Affine networkToInput, int[] in, int[] g) {
        double far = 1e7;
        double[] lo = new double[3];
        double[] hi = new double[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = start[a] <= 0 ? -far : start[a] - 0.5;
            hi[a] = start[a] + size[a] >= g[a] ? far : start[a] + size[a] - 0.5;
        }
        double[] min = {
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY
        };
        double[] max = {
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
        };
        for (int n = 0; n < 8; n++) {
            double[] p =
                    networkToInput.apply(
                            (n & 1) == 0 ? lo[0] : hi[0],
                            (n & 2) == 0 ? lo[1] : hi[1],
                            (n & 4) == 0 ? lo[2] : hi[2]);
            for (int a = 0; a < 3; a++) {
                min[a] = Math.min(min[a], p[a]);
                max[a] = Math.max(max[a], p[a]);
            }
        }
        int[][] r = new int[2][3];
        for (int a = 0; a < 3; a++) {
            r[0][a] = (int) Math.max(0, Math.min(in[a], Math.floor(min[a]) - 1));
            r[1][a] = (int) Math.max(0, Math.min(in[a], Math.ceil(max[a]) + 2));
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CropBox b
                && Arrays.equals(start, b.start)
                && Arrays.equals(size, b.size);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(size);
    }

    @Override
    public String toString() {
        return "CropBox[start " + Arrays.toString(start) + ", size " + Arrays.toString(size) + "]";
    }
}
