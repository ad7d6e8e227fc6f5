package org.monailabel.engine.inferer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Where the windows of a sliding-window inference go, exactly as MONAI's {@code
 * sliding_window_inference} places them: an image smaller than the ROI is padded symmetrically (the
 * extra voxel after), the scan interval is {@code int(roi * (1 - overlap))} (the whole ROI where it
 * spans the padded image), windows are placed at multiples of the interval and the last one is
 * pulled back to end at the border. Pure Java, immutable.
 */
public final class WindowPlan {
    private final int[] imageShape;
    private final int[] roi;
    private final int[] paddedShape;
    private final int[] padBefore;
    private final int[] interval;
    private final List<int[]> starts;
    private final int slowestAxis;

    private WindowPlan(
            int[] imageShape,
            int[] roi,
            int[] paddedShape,
            int[] padBefore,
            int[] interval,
            List<int[]> starts,
            int slowestAxis) {
        this.slowestAxis = slowestAxis;
        this.imageShape = imageShape;
        this.roi = roi;
        this.paddedShape = paddedShape;
        this.padBefore = padBefore;
        this.interval = interval;
        this.starts = starts;
    }

    /**
     * Plans windows of size {@code roi} with fractional {@code overlap} in [0, 1) over an image of
     * {@code imageShape} (3 spatial axes).
     */
    public static WindowPlan of(int[] imageShape, int[] roi, double overlap) {
        return of(imageShape, roi, overlap, 0);
    }

    /**
     * Like {@link #of(int[], int[], double)} but with windows ordered so that {@code slowestAxis}
     * varies slowest (then the other two in axis order): a streaming merger can then finish the
     * output slab by slab along that axis. The set of windows is the same.
     */
    public static WindowPlan of(int[] imageShape, int[] roi, double overlap, int slowestAxis) {
        if (imageShape.length != 3 || roi.length != 3) {
            throw new IllegalArgumentException("Sliding windows are 3-D");
        }
        if (!(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("Overlap must be in [0, 1), got " + overlap);
        }
        int[] padded = new int[3];
        int[] before = new int[3];
        int[] interval = new int[3];
        List<List<Integer>> axisStarts = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            if (roi[a] < 1 || imageShape[a] < 1) {
                throw new IllegalArgumentException(
                        "ROI and image sizes must be positive: roi "
                                + Arrays.toString(roi)
                                + ", image "
                                + Arrays.toString(imageShape));
            }
            padded[a] = Math.max(imageShape[a], roi[a]);
            before[a] = (padded[a] - imageShape[a]) / 2;
            interval[a] =
                    roi[a] == padded[a] ? roi[a] : Math.max(1, (int) (roi[a] * (1 - overlap)));
            List<Integer> s = new ArrayList<>();
            for (int i = 0; ; i++) {
                int start = i * interval[a];
                boolean last = start + roi[a] >= padded[a];
                s.add(start - Math.max(start + roi[a] - padded[a], 0));
                if (last) {
                    break;
                }
            }
            axisStarts.add(s);
        }
        int a = slowestAxis;
        int b = a == 0 ? 1 : 0;
        int c = a == 2 ? 1 : 2;
        List<int[]> starts = new ArrayList<>();
        for (int u : axisStarts.get(a)) {
            for (int v : axisStarts.get(b)) {
                for (int w : axisStarts.get(c)) {
                    int[] start = new int[3];
                    start[a] = u;
                    start[b] = v;
                    start[c] = w;
                    starts.add(start);
                }
            }
        }
        return new WindowPlan(
                imageShape.clone(),
                roi.clone(),
                padded,
                before,
                interval,
                Collections.unmodifiableList(starts),
                slowestAxis);
    }

    public int[] imageShape() {
        return imageShape.clone();
    }

    public int[] roi() {
        return roi.clone();
    }

    /** The image shape after padding to at least the ROI. */
    public int[] paddedShape() {
        return paddedShape.clone();
    }

    /** Voxels of padding before the image on each axis. */
    public int[] padBefore() {
        return padBefore.clone();
    }

    public int[] interval() {
        return interval.clone();
    }

    /** The axis along which window starts vary slowest (0 for MONAI's order). */
    public int slowestAxis() {
        return slowestAxis;
    }

    /**
     * The axis with the most window positions (ties: the later axis), best for streaming merges.
     */
    public static int longestAxis(int[] imageShape, int[] roi, double overlap) {
        WindowPlan p = of(imageShape, roi, overlap);
        int best = 0;
        int bestCount = 0;
        for (int axis = 0; axis < 3; axis++) {
            int a = axis;
            int count = (int) p.starts.stream().mapToInt(s -> s[a]).distinct().count();
            if (count >= bestCount) {
                best = axis;
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * Window start corners in padded coordinates, {@link #slowestAxis()} slowest (MONAI's order by
     * default).
     */
    public List<int[]> starts() {
        return starts;
    }

    /** The windows in groups of at most {@code size}. */
    public List<List<int[]>> batches(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("Batch size must be at least 1");
        }
        List<List<int[]>> batches = new ArrayList<>();
        for (int i = 0; i < starts.size(); i += size) {
            batches.add(starts.subList(i, Math.min(starts.size(), i + size)));
        }
        return batches;
    }

    /** The input {@code (C, X, Y, Z)} padded with zeros to {@link #paddedShape()}. */
    public DenseArray pad(DenseArray input) {
        int c = input.size(0);
        if (Arrays.equals(paddedShape, imageShape)) {
            return input;
        }
        float[] out = new float[c * paddedShape[0] * paddedShape[1] * paddedShape[2]];
        float[] in = input.data();
        for (int ch = 0; ch < c; ch++) {
            for (int x = 0; x < imageShape[0]; x++) {
                for (int y = 0; y < imageShape[1]; y++) {
                    int src = ((ch * imageShape[0] + x) * imageShape[1] + y) * imageShape[2];
                    int dst =
                            ((ch * paddedShape[0] + x + padBefore[0]) * paddedShape[1]
                                                    + y
                                                    + padBefore[1])
                                            * paddedShape[2]
                                    + padBefore[2];
                    System.arraycopy(in, src, out, dst, imageShape[2]);
                }
            }
        }
        return new DenseArray(new int[] {c, paddedShape[0], paddedShape[1], paddedShape[2]}, out);
    }

    /** Cuts the padding off a padded {@code (C, X, Y, Z)} result. */
    public DenseArray unpad(DenseArray padded) {
        if (Arrays.equals(paddedShape, imageShape)) {
            return padded;
        }
        int c = padded.size(0);
        float[] out = new float[c * imageShape[0] * imageShape[1] * imageShape[2]];
        float[] in = padded.data();
        for (int ch = 0; ch < c; ch++) {
            for (int x = 0; x < imageShape[0]; x++) {
                for (int y = 0; y < imageShape[1]; y++) {
                    int dst = ((ch * imageShape[0] + x) * imageShape[1] + y) * imageShape[2];
                    int src =
                            ((ch * paddedShape[0] + x + padBefore[0]) * paddedShape[1]
                                                    + y
                                                    + padBefore[1])
                                            * paddedShape[2]
                                    + padBefore[2];
                    System.arraycopy(in, src, out, dst, imageShape[2]);
                }
            }
        }
        return new DenseArray(new int[] {c, imageShape[0], imageShape[1], imageShape[2]}, out);
    }
}
