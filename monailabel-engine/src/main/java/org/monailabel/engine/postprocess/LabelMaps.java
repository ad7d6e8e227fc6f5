package org.monailabel.engine.postprocess;

import java.util.Collection;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.DenseArray;

/**
 * From network output to a label map: softmax or sigmoid, argmax over channels, and per-label
 * clean-up (largest connected component, hole filling), as MONAI Label's post-transforms.
 */
public final class LabelMaps {
    private LabelMaps() {}

    /**
     * The index of the largest channel per voxel of {@code (C, X, Y, Z)} logits or probabilities
     * (softmax does not change it), as a {@code uint8} (up to 255 channels) or {@code int16} volume
     * in file order.
     */
    public static Volume argmax(DenseArray scores, Affine affine) {
        int[] s = scores.shape();
        int c = s[0];
        int nx = s[1];
        int ny = s[2];
        int nz = s[3];
        int voxels = nx * ny * nz;
        float[] d = scores.data();
        Volume out =
                Volume.allocate(c <= 256 ? VoxelType.UINT8 : VoxelType.INT16, affine, nx, ny, nz);
        int i = 0;
        for (int x = 0; x < nx; x++) {
            for (int y = 0; y < ny; y++) {
                for (int z = 0; z < nz; z++, i++) {
                    int best = 0;
                    float bestValue = d[i];
                    for (int ch = 1; ch < c; ch++) {
                        float v = d[ch * voxels + i];
                        if (v > bestValue) { // ties keep the lower index, as torch.argmax
                            best = ch;
                            bestValue = v;
                        }
                    }
                    out.set(x + (long) nx * (y + (long) ny * z), best);
                }
            }
        }
        return out;
    }

    /** Channel-wise softmax of {@code (C, X, Y, Z)} logits (numerically stable). */
    public static DenseArray softmax(DenseArray logits) {
        int[] s = logits.shape();
        int c = s[0];
        int voxels = s[1] * s[2] * s[3];
        float[] in = logits.data();
        float[] out = new float[in.length];
        for (int i = 0; i < voxels; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int ch = 0; ch < c; ch++) {
                max = Math.max(max, in[ch * voxels + i]);
            }
            double sum = 0;
            for (int ch = 0; ch < c; ch++) {
                double e = Math.exp(in[ch * voxels + i] - max);
                out[ch * voxels + i] = (float) e;
                sum += e;
            }
            for (int ch = 0; ch < c; ch++) {
                out[ch * voxels + i] /= (float) sum;
            }
        }
        return new DenseArray(s, out);
    }

    /** Element-wise sigmoid (multi-label models). */
    public static DenseArray sigmoid(DenseArray logits) {
        float[] in = logits.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) (1 / (1 + Math.exp(-in[i])));
        }
        return new DenseArray(logits.shape(), out);
    }

    /**
     * Keeps, for each of the given label values, only its largest connected component; other voxels
     * of that label become background. Returns a new volume of the same type.
     */
    public static Volume keepLargestComponent(
            Volume labels,
            Collection<Integer> values,
            ConnectedComponents.Connectivity connectivity) {
        Volume out = copy(labels);
        int[] shape = labels.shape();
        for (int value : values) {
            boolean[] mask = mask(out, value);
            boolean[] keep = ConnectedComponents.largest(mask, shape, connectivity);
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] && !keep[i]) {
                    out.set(i, 0);
                }
            }
        }
        return out;
    }

    /** Fills enclosed background holes of each given label value with that value. */
    public static Volume fillHoles(Volume labels, Collection<Integer> values) {
        Volume out = copy(labels);
        int[] shape = labels.shape();
        for (int value : values) {
            boolean[] mask = mask(out, value);
            boolean[] filled = ConnectedComponents.fillHoles(mask, shape);
            for (int i = 0; i < mask.length; i++) {
                if (filled[i] && !mask[i] && out.get(i) == 0) {
                    out.set(i, value);
                }
            }
        }
        return out;
    }

    /** The label map converted to another voxel type (values kept; out-of-range values clamped). */
    public static Volume cast(Volume labels, VoxelType type) {
        if (labels.type() == type) {
            return labels;
        }
        Volume out =
                Volume.allocate(type, labels.affine(), labels.shape())
                        .withMetadata(labels.metadata());
        long n = labels.voxelCount();
        for (long i = 0; i < n; i++) {
            out.set(i, labels.get(i));
        }
        return out;
    }

    private static boolean[] mask(Volume v, int value) {
        int n = Math.toIntExact(v.voxelCount());
        boolean[] m = new boolean[n];
        for (int i = 0; i < n; i++) {
            m[i] = v.get(i) == value;
        }
        return m;
    }

    private static Volume copy(Volume v) {
        Volume out = Volume.allocate(v.type(), v.affine(), v.shape()).withMetadata(v.metadata());
        if (v.data().order() == out.data().order()) {
            out.data().put(v.data());
        } else {
            long n = v.voxelCount();
            for (long i = 0; i < n; i++) {
                out.set(i, v.get(i));
            }
        }
        return out;
    }
}
