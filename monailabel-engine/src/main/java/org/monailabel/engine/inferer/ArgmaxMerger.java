package org.monailabel.engine.inferer;

import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Merges window outputs straight into a label map, keeping only a slab of the output in memory.
 * The argmax of the blended average is the argmax of the weighted sums (the weights' sum is the
 * same for every channel of a voxel), so no counts are needed; and because windows arrive with
 * {@code axis} varying slowest, every slab before the current windows' start along that axis is
 * final and can be turned into labels and dropped. Memory: channels x roi-length slabs of floats,
 * plus one byte (or two) per output voxel. Not thread-safe: one per inference.
 */
final class ArgmaxMerger {
    private final WindowPlan plan;
    private final int channels;
    private final int axis;
    private final int slabLength; // along axis: roi[axis]
    private final int[] padded;
    private final int[] roi;
    private final int[] stride = new int[3]; // buffer strides of x, y, z
    private final int slabVoxels; // voxels of one slab (the other two axes)
    private final float[] sums;
    private final float[] weights;
    private final Volume labels; // unpadded, file order
    private int lo; // absolute start (along axis) of the buffer
    private int finished; // everything before this (along axis) is in labels

    ArgmaxMerger(WindowPlan plan, int channels, float[] importance, Affine affine) {
        this.plan = plan;
        this.channels = channels;
        this.axis = plan.slowestAxis();
        this.padded = plan.paddedShape();
        this.roi = plan.roi();
        this.slabLength = roi[axis];
        this.weights = importance;
        int b = axis == 0 ? 1 : 0;
        int c = axis == 2 ? 1 : 2;
        // buffer layout: (channel, along axis, b, c) with c fastest
        stride[c] = 1;
        stride[b] = padded[c];
        slabVoxels = padded[b] * padded[c];
        stride[axis] = slabVoxels;
        long size = (long) channels * slabLength * slabVoxels;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Merge buffer of " + size + " values exceeds 2^31");
        }
        sums = new float[(int) size];
        int[] image = plan.imageShape();
        labels = Volume.allocate(channels <= 256 ? VoxelType.UINT8 : VoxelType.INT16, affine, image);
    }

    /** Adds one window's output {@code (C, rx, ry, rz)} (C order) found at {@code offset}. */
    void add(int[] start, float[] out, int offset) {
        if (start[axis] > lo) {
            advance(start[axis]);
        }
        int windowVoxels = roi[0] * roi[1] * roi[2];
        int bufferChannel = slabLength * slabVoxels;
        int base = (start[0] - (axis == 0 ? lo : 0)) * stride[0] + (start[1] - (axis == 1 ? lo : 0)) * stride[1]
                + (start[2] - (axis == 2 ? lo : 0)) * stride[2];
        for (int x = 0; x < roi[0]; x++) {
            for (int y = 0; y < roi[1]; y++) {
                int w = (x * roi[1] + y) * roi[2];
                int d0 = base + x * stride[0] + y * stride[1];
                for (int ch = 0; ch < channels; ch++) {
                    int src = offset + ch * windowVoxels + w;
                    int dst = ch * bufferChannel + d0;
                    int sz = stride[2];
                    for (int z = 0; z < roi[2]; z++, dst += sz) {
                        sums[dst] += out[src + z] * weights[w + z];
                    }
                }
            }
        }
    }

    /** Finishes slabs before {@code newLo} and moves the buffer there. */
    private void advance(int newLo) {
        finish(lo, newLo);
        int shift = newLo - lo;
        int bufferChannel = slabLength * slabVoxels;
        for (int ch = 0; ch < channels; ch++) {
            int base = ch * bufferChannel;
            System.arraycopy(sums, base + shift * slabVoxels, sums, base, (slabLength - shift) * slabVoxels);
            java.util.Arrays.fill(sums, base + (slabLength - shift) * slabVoxels, base + bufferChannel, 0f);
        }
        lo = newLo;
    }

    /** Writes labels for absolute positions {@code [from, to)} along the axis (within the buffer). */
    private void finish(int from, int to) {
        int[] image = plan.imageShape();
        int[] pad = plan.padBefore();
        int bufferChannel = slabLength * slabVoxels;
        int[] p = new int[3];
        for (int a = Math.max(from, finished); a < to; a++) {
            p[axis] = a;
            int ia = a - pad[axis];
            if (ia < 0 || ia >= image[axis]) {
                continue;
            }
            int b = axis == 0 ? 1 : 0;
            int c = axis == 2 ? 1 : 2;
            for (int pb = pad[b]; pb < pad[b] + image[b]; pb++) {
                p[b] = pb;
                for (int pc = pad[c]; pc < pad[c] + image[c]; pc++) {
                    p[c] = pc;
                    int i = (a - lo) * stride[axis] + pb * stride[b] + pc * stride[c];
                    int best = 0;
                    float bestValue = sums[i];
                    for (int ch = 1; ch < channels; ch++) {
                        float v = sums[ch * bufferChannel + i];
                        if (v > bestValue) {
                            best = ch;
                            bestValue = v;
                        }
                    }
                    labels.set(labels.index(p[0] - pad[0], p[1] - pad[1], p[2] - pad[2]), best);
                }
            }
        }
        finished = Math.max(finished, to);
    }

    /** The label map once every window was added. */
    Volume labels() {
        finish(lo, Math.min(lo + slabLength, padded[axis]));
        return labels;
    }
}
