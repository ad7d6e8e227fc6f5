package org.monailabel.engine.interactive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;

/**
 * Clicks as 3D Slicer sends them (docs/rest-api.md §6.1): lists of {@code [i, j, k]} voxel indices
 * of the input image (not mm), checked against the image's shape so that a click outside the volume
 * is a clear 400 instead of a silent crop. Stateless.
 */
public final class Clicks {
    /** Parameter: positive clicks of a DeepGrow request. */
    public static final String FOREGROUND = "foreground";

    /** Parameter: negative clicks of a DeepGrow request. */
    public static final String BACKGROUND = "background";

    /** Parameter: the k index of the slice a 2-D model works on. */
    public static final String SLICE = "slice";

    /** Parameter: the name of the segment being edited. */
    public static final String LABEL = "label";

    private Clicks() {}

    /**
     * The clicks under {@code key}, each checked to be a 3-D voxel index inside {@code shape}.
     *
     * @throws InvalidInputException naming the key and the offending click
     */
    public static List<int[]> read(Params params, String key, int[] shape) {
        List<int[]> points = params.getPoints(key);
        List<int[]> out = new ArrayList<>(points.size());
        for (int[] p : points) {
            if (p.length != 3) {
                throw new InvalidInputException(
                        "Click "
                                + Arrays.toString(p)
                                + " in '"
                                + key
                                + "' must be a voxel index [i, j, k]");
            }
            for (int a = 0; a < 3; a++) {
                if (p[a] < 0 || p[a] >= shape[a]) {
                    throw new InvalidInputException(
                            "Click "
                                    + Arrays.toString(p)
                                    + " in '"
                                    + key
                                    + "' is outside the image of "
                                    + shape[0]
                                    + "x"
                                    + shape[1]
                                    + "x"
                                    + shape[2]
                                    + " voxels");
                }
            }
            out.add(p.clone());
        }
        return List.copyOf(out);
    }

    /**
     * The {@code slice} of a 2-D request: required, and a k index inside the image.
     *
     * @throws InvalidInputException if missing or out of range
     */
    public static int slice(Params params, int[] shape) {
        if (!params.has(SLICE)) {
            throw new InvalidInputException(
                    "This model works on one slice: send 'slice' (the k index)");
        }
        int k = params.getInt(SLICE, -1);
        if (k < 0 || k >= shape[2]) {
            throw new InvalidInputException(
                    "Slice " + k + " is outside the image's 0.." + (shape[2] - 1));
        }
        return k;
    }

    /**
     * The {@code roi} box {@code [i_min, i_max, j_min, j_max, k_min, k_max]} (inclusive voxel
     * indices), clamped to the image; an absent or empty list means the whole image.
     *
     * @return {@code {start, endExclusive}} per axis as two arrays
     */
    public static int[][] roi(Params params, int[] shape) {
        int[][] whole = {{0, 0, 0}, shape.clone()};
        Object v = params.get("roi").orElse(List.of());
        if (!(v instanceof List<?> list)) {
            throw new InvalidInputException(
                    "Parameter 'roi' must be [i_min, i_max, j_min, j_max, k_min, k_max]");
        }
        if (list.isEmpty()) {
            return whole;
        }
        if (list.size() != 6 || !list.stream().allMatch(Number.class::isInstance)) {
            throw new InvalidInputException(
                    "Parameter 'roi' must be [i_min, i_max, j_min, j_max, k_min, k_max], got "
                            + list);
        }
        int[] start = new int[3];
        int[] end = new int[3];
        for (int a = 0; a < 3; a++) {
            int lo = (int) Math.round(((Number) list.get(2 * a)).doubleValue());
            int hi = (int) Math.round(((Number) list.get(2 * a + 1)).doubleValue());
            start[a] = Math.max(0, Math.min(lo, hi));
            end[a] = Math.min(shape[a], Math.max(lo, hi) + 1);
            if (start[a] >= end[a]) {
                throw new InvalidInputException(
                        "Parameter 'roi' " + list + " lies outside the image");
            }
        }
        return new int[][] {start, end};
    }
}
