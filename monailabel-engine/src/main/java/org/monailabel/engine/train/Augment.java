package org.monailabel.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training augmentation on {@code (X, Y, Z)} C-order float arrays (the network layout), every
 * random choice drawn from the given {@link Random}, so that a seeded run repeats exactly: MONAI's
 * {@code RandCropByPosNegLabel} (crops centred on foreground or background voxels in a chosen
 * ratio), random flips along each axis, random 90-degree rotations in the first two axes (square
 * crops only), and random intensity shift and scale. Stateless and thread-safe.
 */
public final class Augment {
    private Augment() {}

    /** An image crop with its label crop, {@code size} voxels per axis, C order. */
    public record Patch(int[] size, float[] image, float[] label) {}

    /**
     * Crops {@code count} patches of {@code size} (the image is padded with its minimum, the label
     * with 0, where it is smaller): each centred on a random foreground voxel (label > 0) with
     * probability {@code pos / (pos + neg)}, else on a background voxel; centres are pulled in so
     * that patches stay inside the image, as MONAI does.
     */
    public static List<Patch> cropByPosNeg(
            float[] image,
            float[] label,
            int[] shape,
            int[] size,
            double pos,
            double neg,
            int count,
            Random random) {
        byte[] indices = new byte[label.length];
        for (int i = 0; i < label.length; i++) {
            indices[i] = (byte) label[i];
        }
        return cropByPosNeg(image, indices, shape, size, pos, neg, count, random);
    }

    /**
     * As {@link #cropByPosNeg(float[], float[], int[], int[], double, double, int, Random)}, labels
     * as bytes 0..255.
     */
    public static List<Patch> cropByPosNeg(
            float[] image,
            byte[] label,
            int[] shape,
            int[] size,
            double pos,
            double neg,
            int count,
            Random random) {
        int n = shape[0] * shape[1] * shape[2];
        int foregroundCount = 0;
        for (int i = 0; i < n; i++) {
            foregroundCount += label[i] != 0 ? 1 : 0;
        }
        int[] foreground = new int[foregroundCount];
        int[] background = new int[n - foregroundCount];
        for (int i = 0, f = 0, b = 0; i < n; i++) {
            if (label[i] != 0) {
                foreground[f++] = i;
            } else {
                background[b++] = i;
            }
        }
        float min = Float.POSITIVE_INFINITY;
        for (float v : image) {
            min = Math.min(min, v);
        }
        List<Patch> patches = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            boolean wantForeground = random.nextDouble() < pos / (pos + neg);
            int[] pool =
                    wantForeground && foreground.length > 0 || background.length == 0
                            ? foreground
                            : background;
            int centre = pool.length == 0 ? n / 2 : pool[random.nextInt(pool.length)];
            int[] c = {
                centre / (shape[1] * shape[2]), (centre / shape[2]) % shape[1], centre % shape[2]
            };
            int[] start = new int[3];
            for (int a = 0; a < 3; a++) {
                int s = c[a] - size[a] / 2;
                if (shape[a] >= size[a]) {
                    start[a] = Math.max(0, Math.min(s, shape[a] - size[a]));
                } else {
                    start[a] =
                            -((size[a] - shape[a])
                                    / 2); // smaller than the patch: centre it, pad around
                }
            }
            patches.add(
                    new Patch(
                            size.clone(),
                            crop(image, shape, start, size, min),
                            cropLabel(label, shape, start, size)));
        }
        return patches;
    }

    private static float[] cropLabel(byte[] v, int[] shape, int[] start, int[] size) {
        float[] out = new float[size[0] * size[1] * size[2]];
        int o = 0;
        for (int x = 0; x < size[0]; x++) {
            int sx = start[0] + x;
            for (int y = 0; y < size[1]; y++) {
                int sy = start[1] + y;
                for (int z = 0; z < size[2]; z++, o++) {
                    int sz = start[2] + z;
                    boolean inside =
                            sx >= 0
                                    && sy >= 0
                                    && sz >= 0
                                    && sx < shape[0]
                                    && sy < shape[1]
                                    && sz < shape[2];
                    out[o] = inside ? v[(sx * shape[1] + sy) * shape[2] + sz] & 0xff : 0;
                }
            }
        }
        return out;
    }

    private static float[] crop(float[] v, int[] shape, int[] start, int[] size, float fill) {
        float[] out = new float[size[0] * size[1] * size[2]];
        int o = 0;
        for (int x = 0; x < size[0]; x++) {
            int sx = start[0] + x;
            for (int y = 0; y < size[1]; y++) {
                int sy = start[1] + y;
                for (int z = 0; z < size[2]; z++, o++) {
                    int sz = start[2] + z;
                    boolean inside =
                            sx >= 0
                                    && sy >= 0
                                    && sz >= 0
                                    && sx < shape[0]
                                    && sy < shape[1]
                                    && sz < shape[2];
                    out[o] = inside ? v[(sx * shape[1] + sy) * shape[2] + sz] : fill;
                }
            }
        }
        return out;
    }

    /**
     * Flips each axis with probability {@code p}, then rotates by a random multiple of 90 degrees
     * in the plane of the first two axes if they are equal; the same for image and label.
     */
    public static Patch flipAndRotate(Patch patch, double p, Random random) {
        return flipAndRotate(patch, p, true, random);
    }

    /**
     * Flips each axis with probability {@code p}, and if {@code rotate}, rotates as {@link
     * #flipAndRotate(Patch, double, Random)} does. Left-right flips and in-plane rotations turn a
     * left kidney into a right one: keep them off for labels with a side.
     */
    public static Patch flipAndRotate(Patch patch, double p, boolean rotate, Random random) {
        int[] s = patch.size();
        if (p <= 0 && !rotate) {
            return patch;
        }
        boolean[] flip = {
            random.nextDouble() < p, random.nextDouble() < p, random.nextDouble() < p
        };
        int turns = rotate && s[0] == s[1] ? random.nextInt(4) : 0;
        float[] image = new float[patch.image().length];
        float[] label = new float[patch.label().length];
        for (int x = 0; x < s[0]; x++) {
            for (int y = 0; y < s[1]; y++) {
                for (int z = 0; z < s[2]; z++) {
                    int fx = flip[0] ? s[0] - 1 - x : x;
                    int fy = flip[1] ? s[1] - 1 - y : y;
                    int fz = flip[2] ? s[2] - 1 - z : z;
                    int rx = fx;
                    int ry = fy;
                    for (int t = 0; t < turns; t++) { // (x, y) -> (y, n - 1 - x)
                        int tmp = rx;
                        rx = ry;
                        ry = s[0] - 1 - tmp;
                    }
                    int from = (x * s[1] + y) * s[2] + z;
                    int to = (rx * s[1] + ry) * s[2] + fz;
                    image[to] = patch.image()[from];
                    label[to] = patch.label()[from];
                }
            }
        }
        return new Patch(s, image, label);
    }

    /**
     * Shifts the intensities by up to {@code shift} and scales them by up to {@code 1 +- scale},
     * each uniformly at random (MONAI's {@code RandShiftIntensity} and {@code RandScaleIntensity}).
     */
    public static Patch shiftAndScale(Patch patch, double shift, double scale, Random random) {
        float offset = (float) ((random.nextDouble() * 2 - 1) * shift);
        float factor = (float) (1 + (random.nextDouble() * 2 - 1) * scale);
        float[] image = patch.image().clone();
        for (int i = 0; i < image.length; i++) {
            image[i] = (image[i] + offset) * factor;
        }
        return new Patch(patch.size(), image, patch.label());
    }
}
