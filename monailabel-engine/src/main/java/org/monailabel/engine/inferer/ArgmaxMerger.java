package org.monailabel.engine.inferer;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Merges window outputs straight into a label map, keeping only a slab of the output in memory. The
 * argmax of the blended average is the argmax of the weighted sums (the weights' sum is the same
 * for every channel of a voxel), so no counts are needed; and because windows arrive with {@code
 * axis} varying slowest, every slab before the current windows' start along that axis is final and
 * can be turned into labels and dropped. The buffer keeps the windows' C order (z fastest) with the
 * slab axis cut to the window length, so merging writes contiguously. Only the differences to
 * channel 0 are summed (channel 0 is then 0 everywhere), one buffer fewer: for a two-class model a
 * single one. Memory: (channels - 1) x roi-length slab of floats, plus one byte per output voxel.
 * Not thread-safe.
 */
final class ArgmaxMerger implements Merger<Volume> {
    private final WindowPlan plan;
    private final int channels;
    private final int axis;
    private final int[] dims; // buffer dims: padded, with dims[axis] = roi[axis]
    private final int[] roi;
    private final int sx;
    private final int sy;
    private final int channelSize;
    private final float[] sums;
    private final float[] weights;
    private final Volume labels; // unpadded, file order
    private int lo; // absolute start (along axis) of the buffer
    private int finished; // everything before this (along axis) is in labels

    ArgmaxMerger(WindowPlan plan, int channels, float[] importance, Affine affine) {
        this.plan = plan;
        this.channels = channels;
        this.axis = plan.slowestAxis();
        this.roi = plan.roi();
        this.dims = plan.paddedShape();
        dims[axis] = roi[axis];
        this.weights = importance;
        sy = dims[2];
        sx = dims[1] * dims[2];
        long size = (long) dims[0] * dims[1] * dims[2];
        if (size * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Merge buffer of " + size * channels + " values exceeds 2^31");
        }
        channelSize = (int) size;
        sums = new float[channelSize * Math.max(1, channels - 1)];
        labels =
                Volume.allocate(
                        channels <= 256 ? VoxelType.UINT8 : VoxelType.INT16,
                        affine,
                        plan.imageShape());
    }

    /**
     * Adds the window's channels 1.. as differences to channel 0, one channel on the heap at a
     * time.
     */
    @Override
    public void add(int[] start, NDArray window) {
        NDArray first = window.get(0);
        for (int ch = 1; ch < channels; ch++) {
            // a view of the tensor's own memory: no copy, and no Java array made in native code
            // (DJL's copying path crashes the JVM instead of throwing when the heap is full)
            FloatBuffer difference =
                    window.get(ch)
                            .sub(first)
                            .toByteBuffer(true)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
            add(start, ch - 1, difference);
        }
    }

    /**
     * Adds the difference {@code channel c - channel 0} of one window's output, {@code (rx, ry,
     * rz)} in C order, for {@code c = ch + 1}.
     */
    private void add(int[] start, int ch, FloatBuffer out) {
        if (start[axis] > lo) {
            advance(start[axis]);
        }
        int[] local = start.clone();
        local[axis] -= lo;
        // rows of different x touch different buffer cells: merge them in parallel
        IntStream.range(0, roi[0])
                .parallel()
                .forEach(
                        x -> {
                            for (int y = 0; y < roi[1]; y++) {
                                int w = (x * roi[1] + y) * roi[2];
                                int dst =
                                        ch * channelSize
                                                + (local[0] + x) * sx
                                                + (local[1] + y) * sy
                                                + local[2];
                                for (int z = 0; z < roi[2]; z++) {
                                    sums[dst + z] += out.get(w + z) * weights[w + z];
                                }
                            }
                        });
    }

    /** Finishes slabs before {@code newLo} and moves the buffer there. */
    private void advance(int newLo) {
        finish(lo, newLo);
        int shift = newLo - lo;
        int keep = roi[axis] - shift;
        // the buffer is (outer, axis, inner) in C order: move each outer block's tail to its front
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= dims[a];
        }
        int inner = 1;
        for (int a = axis + 1; a < 3; a++) {
            inner *= dims[a];
        }
        for (int ch = 0; ch < Math.max(1, channels - 1); ch++) {
            for (int o = 0; o < outer; o++) {
                int block = ch * channelSize + o * dims[axis] * inner;
                System.arraycopy(sums, block + shift * inner, sums, block, keep * inner);
                Arrays.fill(sums, block + keep * inner, block + dims[axis] * inner, 0f);
            }
        }
        lo = newLo;
    }

    /**
     * Writes labels for absolute positions {@code [from, to)} along the axis (within the buffer).
     */
    private void finish(int from, int to) {
        int[] image = plan.imageShape();
        int[] pad = plan.padBefore();
        int[] start = {pad[0], pad[1], pad[2]};
        int[] end = {pad[0] + image[0], pad[1] + image[1], pad[2] + image[2]};
        start[axis] = Math.max(Math.max(from, finished), pad[axis]);
        end[axis] = Math.min(to, pad[axis] + image[axis]);
        ByteBuffer out = labels.data();
        boolean bytes = labels.type() == VoxelType.UINT8;
        int offX = axis == 0 ? lo : 0;
        int offY = axis == 1 ? lo : 0;
        int offZ = axis == 2 ? lo : 0;
        IntStream.range(start[0], Math.max(start[0], end[0]))
                .parallel()
                .forEach(
                        x -> {
                            for (int y = start[1]; y < end[1]; y++) {
                                for (int z = start[2]; z < end[2]; z++) {
                                    int i = (x - offX) * sx + (y - offY) * sy + z - offZ;
                                    int best = 0;
                                    float bestValue = 0; // channel 0 minus itself
                                    for (int ch = 1; ch < channels; ch++) {
                                        float v = sums[(ch - 1) * channelSize + i];
                                        if (v > bestValue) {
                                            best = ch;
                                            bestValue = v;
                                        }
                                    }
                                    long index = labels.index(x - pad[0], y - pad[1], z - pad[2]);
                                    if (bytes) {
                                        out.put((int) index, (byte) best);
                                    } else {
                                        out.putShort((int) index * 2, (short) best);
                                    }
                                }
                            }
                        });
        finished = Math.max(finished, to);
    }

    /** The label map once every window was added. */
    @Override
    public Volume result() {
        finish(lo, Math.min(lo + roi[axis], plan.paddedShape()[axis]));
        return labels;
    }
}
