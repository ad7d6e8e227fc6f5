package org.monailabel.engine.inferer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * {@link ArgmaxMerger}'s twin that keeps the merge buffer on the network's device (a GPU): window
 * outputs never leave the device; only finished slabs come back, as one byte per voxel. The buffer
 * belongs to the request's manager; per-window and per-slab arrays live in the caller's scope. Not
 * thread-safe.
 */
final class DeviceArgmaxMerger implements Merger<Volume> {
    private final WindowPlan plan;
    private final int axis;
    private final int[] dims;
    private final int[] roi;
    private final NDArray sums; // (C, dims...) on the device
    private final NDArray weights; // (rx, ry, rz) on the device
    private final Volume labels;
    private int lo;
    private int finished;

    DeviceArgmaxMerger(
            WindowPlan plan, int channels, float[] importance, Affine affine, NDManager request) {
        if (channels > 256) {
            throw new IllegalArgumentException("Device merging supports up to 256 channels");
        }
        this.plan = plan;
        this.axis = plan.slowestAxis();
        this.roi = plan.roi();
        this.dims = plan.paddedShape();
        dims[axis] = roi[axis];
        this.sums = request.zeros(new Shape(channels, dims[0], dims[1], dims[2]));
        this.weights = request.create(importance, new Shape(roi[0], roi[1], roi[2]));
        this.labels = Volume.allocate(VoxelType.UINT8, affine, plan.imageShape());
    }

    /**
     * Lends the buffers to a batch's scope, once per scope, so that the results of operations on
     * them land there and are freed with it; they return to the request's manager afterwards.
     */
    @Override
    public void attachTo(NDManager scope) {
        scope.tempAttachAll(sums, weights);
    }

    /**
     * Adds one window's output {@code (C, rx, ry, rz)} (after {@link #attachTo} for this scope).
     */
    @Override
    public void add(int[] start, NDArray window) {
        if (start[axis] > lo) {
            advance(start[axis]);
        }
        int[] local = start.clone();
        local[axis] -= lo;
        NDIndex index =
                new NDIndex()
                        .addAllDim()
                        .addSliceDim(local[0], local[0] + roi[0])
                        .addSliceDim(local[1], local[1] + roi[1])
                        .addSliceDim(local[2], local[2] + roi[2]);
        sums.set(index, sums.get(index).add(window.mul(weights)));
    }

    private void advance(int newLo) {
        finish(lo, newLo);
        int shift = newLo - lo;
        NDIndex from = slab(shift, roi[axis]);
        NDArray tail = sums.get(from).duplicate();
        sums.set(new NDIndex().addAllDim(), 0f);
        sums.set(slab(0, roi[axis] - shift), tail);
        lo = newLo;
    }

    private NDIndex slab(int from, int to) {
        NDIndex index = new NDIndex().addAllDim();
        for (int a = 0; a < 3; a++) {
            if (a == axis) {
                index.addSliceDim(from, to);
            } else {
                index.addAllDim();
            }
        }
        return index;
    }

    private void finish(int from, int to) {
        int[] image = plan.imageShape();
        int[] pad = plan.padBefore();
        int a0 = Math.max(Math.max(from, finished), pad[axis]);
        int a1 = Math.min(to, pad[axis] + image[axis]);
        if (a1 > a0) {
            ByteBuffer best =
                    sums.get(slab(a0 - lo, a1 - lo))
                            .argMax(0)
                            .toType(DataType.UINT8, false)
                            .toDevice(Device.cpu(), false)
                            .toByteBuffer(true);
            int[] s = dims.clone();
            s[axis] = a1 - a0;
            int[] shift = new int[3];
            shift[axis] = a0;
            int i = 0;
            for (int x = 0; x < s[0]; x++) {
                int ix = x + shift[0] - pad[0];
                for (int y = 0; y < s[1]; y++) {
                    int iy = y + shift[1] - pad[1];
                    for (int z = 0; z < s[2]; z++, i++) {
                        int iz = z + shift[2] - pad[2];
                        if (ix >= 0
                                && iy >= 0
                                && iz >= 0
                                && ix < image[0]
                                && iy < image[1]
                                && iz < image[2]) {
                            labels.set(labels.index(ix, iy, iz), best.get(i) & 0xFF);
                        }
                    }
                }
            }
        }
        finished = Math.max(finished, to);
    }

    /** The label map once every window was added (after {@link #attachTo} for a last scope). */
    @Override
    public Volume result() {
        finish(lo, Math.min(lo + roi[axis], plan.paddedShape()[axis]));
        return labels;
    }
}
