package org.monailabel.engine.transform;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;

/**
 * Cropping and padding in voxel space, as MONAI's {@code CropForeground}, {@code
 * CenterSpatialCrop}, {@code SpatialCrop} and {@code DivisiblePad} (symmetric) do it, each with its
 * inverse. The affine follows so that every voxel keeps its world position; padding is zeros.
 * Immutable and thread-safe. Test sources only: no main code crops or pads through it (the
 * interactive models crop with {@code interactive.CropBox}); {@code CropPadTest} keeps it
 * MONAI-exact.
 *
 * <pre>{@code
 * CropPad.Box box = CropPad.foreground(image, 0, new int[] {5, 5, 5});
 * Volume cropped = CropPad.crop(image, box);
 * Volume back = CropPad.uncrop(cropped, box, image.shape());     // the original grid again
 * }</pre>
 */
public final class CropPad {
    private CropPad() {}

    /**
     * A box of voxels: {@code start} inclusive, {@code end} exclusive, per axis. When padding, a
     * start below 0 or an end beyond the shape means voxels added.
     */
    public record Box(int[] start, int[] end) {
        public Box {
            start = start.clone();
            end = end.clone();
            if (start.length != 3 || end.length != 3) {
                throw new IllegalArgumentException("A box has 3 axes");
            }
            for (int a = 0; a < 3; a++) {
                if (end[a] <= start[a]) {
                    throw new IllegalArgumentException(
                            "Empty box " + Arrays.toString(start) + " .. " + Arrays.toString(end));
                }
            }
        }

        @Override
        public int[] start() {
            return start.clone();
        }

        @Override
        public int[] end() {
            return end.clone();
        }

        /** The box's size per axis. */
        public int[] size() {
            return new int[] {end[0] - start[0], end[1] - start[1], end[2] - start[2]};
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Box b && Arrays.equals(start, b.start) && Arrays.equals(end, b.end);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
        }

        @Override
        public String toString() {
            return "Box" + Arrays.toString(start) + ".." + Arrays.toString(end);
        }
    }

    /**
     * MONAI's {@code CropForeground}: the bounding box of voxels above {@code threshold} (first
     * channel), grown by {@code margin} and clipped to the volume; the whole volume when nothing is
     * above it.
     */
    public static Box foreground(Volume v, double threshold, int[] margin) {
        int[] min = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] max = {-1, -1, -1};
        for (int z = 0; z < v.sizeZ(); z++) {
            for (int y = 0; y < v.sizeY(); y++) {
                for (int x = 0; x < v.sizeX(); x++) {
                    if (v.get(x, y, z) > threshold) {
                        min[0] = Math.min(min[0], x);
                        min[1] = Math.min(min[1], y);
                        min[2] = Math.min(min[2], z);
                        max[0] = Math.max(max[0], x);
                        max[1] = Math.max(max[1], y);
                        max[2] = Math.max(max[2], z);
                    }
                }
            }
        }
        int[] shape = v.shape();
        if (max[0] < 0) {
            return new Box(new int[3], new int[] {shape[0], shape[1], shape[2]});
        }
        int[] start = new int[3];
        int[] end = new int[3];
        for (int a = 0; a < 3; a++) {
            start[a] = Math.max(0, min[a] - margin[a]);
            end[a] = Math.min(shape[a], max[a] + 1 + margin[a]);
        }
        return new Box(start, end);
    }

    /**
     * MONAI's {@code CenterSpatialCrop}: a box of {@code roi} around the centre ({@code shape /
     * 2}); axes smaller than the ROI are kept whole.
     */
    public static Box center(int[] shape, int[] roi) {
        int[] start = new int[3];
        int[] end = new int[3];
        for (int a = 0; a < 3; a++) {
            int size = Math.min(roi[a], shape[a]);
            start[a] = Math.max(shape[a] / 2 - size / 2, 0);
            end[a] = Math.min(start[a] + size, shape[a]);
        }
        return new Box(start, end);
    }

    /**
     * MONAI's {@code DivisiblePad} (symmetric, zeros): each axis grows to the next multiple of
     * {@code k}, half the padding before (rounded down) and the rest after.
     */
    public static Box divisiblePad(int[] shape, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        int[] start = new int[3];
        int[] end = new int[3];
        for (int a = 0; a < 3; a++) {
            int target = (shape[a] + k - 1) / k * k;
            int before = (target - shape[a]) / 2;
            start[a] = -before;
            end[a] = shape[a] + (target - shape[a] - before);
        }
        return new Box(start, end);
    }

    /**
     * The voxels of {@code box}: a crop where the box is inside the volume, padding with zeros
     * where it reaches outside. The affine moves so that voxels keep their world positions.
     */
    public static Volume crop(Volume v, Box box) {
        int[] s = box.size();
        int channels = v.channels();
        int[] shape =
                channels > 1 || v.shape().length == 4 ? new int[] {s[0], s[1], s[2], channels} : s;
        int[] b = box.start();
        double[] origin = v.affine().apply(b[0], b[1], b[2]);
        Affine affine = v.affine().withTranslation(origin[0], origin[1], origin[2]);
        Volume out = Volume.allocate(v.type(), affine, shape).withMetadata(v.metadata());
        copy(v, b, out, new int[3], s);
        return out;
    }

    /**
     * The inverse of {@link #crop}: puts the box's voxels back on a grid of {@code originalShape},
     * zeros elsewhere (for a padding box, this crops the padding off).
     */
    public static Volume uncrop(Volume cropped, Box box, int[] originalShape) {
        Objects.requireNonNull(box, "box");
        int[] b = box.start();
        double[] origin = cropped.affine().apply(-b[0], -b[1], -b[2]);
        Affine affine = cropped.affine().withTranslation(origin[0], origin[1], origin[2]);
        int channels = cropped.channels();
        int[] shape =
                channels > 1 || cropped.shape().length == 4
                        ? new int[] {originalShape[0], originalShape[1], originalShape[2], channels}
                        : new int[] {originalShape[0], originalShape[1], originalShape[2]};
        Volume out =
                Volume.allocate(cropped.type(), affine, shape).withMetadata(cropped.metadata());
        copy(
                cropped,
                new int[] {-b[0], -b[1], -b[2]},
                out,
                new int[3],
                new int[] {originalShape[0], originalShape[1], originalShape[2]});
        return out;
    }

    /**
     * Copies the region of {@code size} starting at {@code from} in {@code src} to {@code to} in
     * {@code dst}; positions outside {@code src} stay zero.
     */
    private static void copy(Volume src, int[] from, Volume dst, int[] to, int[] size) {
        int bytes = src.type().bytes();
        ByteBuffer in = src.data();
        ByteBuffer out = dst.data();
        boolean sameOrder = in.order() == out.order() || bytes == 1;
        int[] sShape = src.shape();
        byte[] row = new byte[0];
        for (int c = 0; c < src.channels(); c++) {
            for (int z = 0; z < size[2]; z++) {
                int sz = from[2] + z;
                if (sz < 0 || sz >= sShape[2]) {
                    continue;
                }
                for (int y = 0; y < size[1]; y++) {
                    int sy = from[1] + y;
                    if (sy < 0 || sy >= sShape[1]) {
                        continue;
                    }
                    int x0 = Math.max(0, -from[0]);
                    int x1 = Math.min(size[0], sShape[0] - from[0]);
                    if (x1 <= x0) {
                        continue;
                    }
                    long si = src.index(from[0] + x0, sy, sz, c);
                    long di = dst.index(to[0] + x0, to[1] + y, to[2] + z, c);
                    int n = x1 - x0;
                    if (sameOrder) {
                        if (row.length < n * bytes) {
                            row = new byte[n * bytes];
                        }
                        in.get(Math.toIntExact(si * bytes), row, 0, n * bytes);
                        out.put(Math.toIntExact(di * bytes), row, 0, n * bytes);
                    } else {
                        for (int i = 0; i < n; i++) {
                            dst.set(di + i, src.get(si + i));
                        }
                    }
                }
            }
        }
    }
}
