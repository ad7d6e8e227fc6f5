package org.monailabel.engine.interactive;

import java.util.Map;
import java.util.TreeMap;
import org.monailabel.engine.train.TrainingData;

/**
 * A pre-processed study for interactive training: image and label on the network grid (C order)
 * and, per label value present, its bounding box (so that a click inside a structure is drawn on
 * the structure's box, not the whole volume).
 *
 * @param boxes label value to {@code {lo, hi}} (inclusive voxel corners); background excluded
 */
record Study(String id, int[] shape, float[] image, byte[] label, Map<Integer, int[][]> boxes) {
    static Study of(TrainingData.Sample s) {
        int[] shape = s.shape();
        Map<Integer, int[][]> boxes = new TreeMap<>();
        byte[] label = s.label();
        for (int x = 0, i = 0; x < shape[0]; x++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int z = 0; z < shape[2]; z++, i++) {
                    int v = label[i] & 0xff;
                    if (v != 0) {
                        int[][] b = boxes.get(v);
                        if (b == null) {
                            b = new int[][] {{x, y, z}, {x, y, z}};
                            boxes.put(v, b);
                        }
                        b[0][0] = Math.min(b[0][0], x);
                        b[0][1] = Math.min(b[0][1], y);
                        b[0][2] = Math.min(b[0][2], z);
                        b[1][0] = Math.max(b[1][0], x);
                        b[1][1] = Math.max(b[1][1], y);
                        b[1][2] = Math.max(b[1][2], z);
                    }
                }
            }
        }
        return new Study(s.imageId(), shape, s.image(), label, boxes);
    }

    /** The structure of label {@code value} cut to its bounding box, and where that box starts. */
    CropBox box(int value) {
        int[][] b = boxes.get(value);
        return new CropBox(
                b[0],
                new int[] {b[1][0] - b[0][0] + 1, b[1][1] - b[0][1] + 1, b[1][2] - b[0][2] + 1});
    }
}
