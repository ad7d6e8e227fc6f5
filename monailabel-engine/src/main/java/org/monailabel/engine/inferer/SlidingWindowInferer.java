package org.monailabel.engine.inferer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;

/**
 * MONAI's {@code sliding_window_inference}: runs a network over overlapping windows of an image and
 * blends their outputs. The padded image is uploaded to the predictor's device once; each batch of
 * windows runs in its own {@link NDManager} scope, so native memory stays flat however many windows
 * there are; a merger blends the outputs, on the heap or on the device. Immutable; {@link #run} is
 * thread-safe as long as each thread brings its own network handle.
 */
public final class SlidingWindowInferer {
    private final int[] roi;
    private final double overlap;
    private final int batchSize;
    private final BlendMode mode;
    private final double sigmaScale;
    private final float[] importance;

    /**
     * @param roi window size per axis
     * @param overlap fraction of a window shared with its neighbour, in [0, 1)
     * @param batchSize windows per network call
     * @param mode how overlapping outputs are weighted
     * @param sigmaScale Gaussian sigma as a fraction of the window size (MONAI's default 0.125)
     */
    public SlidingWindowInferer(
            int[] roi, double overlap, int batchSize, BlendMode mode, double sigmaScale) {
        this.roi = roi.clone();
        this.overlap = overlap;
        this.batchSize = batchSize;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.sigmaScale = sigmaScale;
        WindowPlan.of(roi, roi, overlap); // validates roi and overlap
        if (batchSize < 1) {
            throw new IllegalArgumentException("Batch size must be at least 1");
        }
        this.importance = ImportanceMap.of(roi, mode, sigmaScale);
    }

    /**
     * Runs the network over the image and returns the label map (argmax over channels of the
     * blended output) without ever holding the whole output: windows are ordered along the axis
     * with most positions, and finished slabs become labels at once.
     *
     * @param input {@code (C, X, Y, Z)}, C order; the caller must not hold on to it (it is dropped
     *     from the heap once on the device)
     * @param affine the label map's affine (that of the input grid)
     * @return {@code uint8} labels in file order (int16 beyond 256 channels)
     */
    public Volume runToLabels(
            DenseArray input, WindowFunction network, NDManager manager, Affine affine) {
        return runToLabels(input, network, manager, affine, manager.getDevice().isGpu());
    }

    /**
     * As {@link #runToLabels(DenseArray, WindowFunction, NDManager, Affine)}, choosing where the
     * merge buffer lives: on the network's device ({@code onDevice}: outputs never leave it) or on
     * the heap.
     */
    public Volume runToLabels(
            DenseArray input,
            WindowFunction network,
            NDManager manager,
            Affine affine,
            boolean onDevice) {
        int[] shape = input.shape();
        try (NDManager request = manager.newSubManager()) {
            NDArray image =
                    request.create(
                            input.data(), new Shape(1, shape[0], shape[1], shape[2], shape[3]));
            input = null; // the heap copy can go: the device holds the image now
            return runToLabels(image, network, affine, onDevice);
        }
    }

    /**
     * Runs the network over an image already on the device, {@code (1, C, X, Y, Z)}, and returns
     * the label map. Arrays made on the way live in sub-managers of the image's manager and are
     * freed before this returns; the image itself stays the caller's.
     *
     * @param onDevice whether the merge buffer stays on the device (native memory; the default in
     *     the segmentation pipeline) or on the heap
     */
    public Volume runToLabels(
            NDArray image, WindowFunction network, Affine affine, boolean onDevice) {
        long[] s = image.getShape().getShape();
        if (s.length != 5 || s[0] != 1) {
            throw new IllegalArgumentException("Expected (1, C, X, Y, Z), got " + image.getShape());
        }
        int[] spatial = {(int) s[2], (int) s[3], (int) s[4]};
        WindowPlan plan =
                WindowPlan.of(spatial, roi, overlap, WindowPlan.longestAxis(spatial, roi, overlap));
        int[] p = plan.paddedShape();
        int[] before = plan.padBefore();
        try (NDManager request = image.getManager().newSubManager()) {
            NDArray volume = image;
            if (!Arrays.equals(p, spatial)) {
                request.tempAttachAll(image);
                volume = request.zeros(new Shape(1, s[1], p[0], p[1], p[2]), image.getDataType());
                volume.set(
                        new NDIndex()
                                .addAllDim()
                                .addAllDim()
                                .addSliceDim(before[0], before[0] + spatial[0])
                                .addSliceDim(before[1], before[1] + spatial[1])
                                .addSliceDim(before[2], before[2] + spatial[2]),
                        image);
            }
            IntFunction<Merger<Volume>> merger =
                    channels ->
                            onDevice
                                    ? new DeviceArgmaxMerger(
                                            plan, channels, importance, affine, request)
                                    : new ArgmaxMerger(plan, channels, importance, affine);
            return merge(volume, volume != image, plan, network, request, merger);
        }
    }

    /**
     * Runs the network over every window of the padded {@code volume}, one scope per batch, and
     * merges the outputs with the merger made for the network's channel count. The padded volume is
     * closed before the result is made when it is {@code ours}.
     */
    private <R> R merge(
            NDArray volume,
            boolean ours,
            WindowPlan plan,
            WindowFunction network,
            NDManager request,
            IntFunction<Merger<R>> mergerFor) {
        Merger<R> merger = null;
        for (List<int[]> batch : plan.batches(batchSize)) {
            try (NDManager scope = request.newSubManager()) {
                scope.tempAttachAll(volume); // slices of volume land in this scope
                NDArray logits = network.apply(crops(volume, batch));
                checkOutput(logits, batch.size());
                if (merger == null) {
                    merger = mergerFor.apply((int) logits.getShape().get(1));
                }
                merger.attachTo(scope);
                for (int w = 0; w < batch.size(); w++) {
                    merger.add(batch.get(w), logits.get(w));
                }
            }
        }
        if (ours) {
            volume.close(); // every window is merged: the image can go before the result is made
        }
        try (NDManager scope = request.newSubManager()) {
            merger.attachTo(scope);
            return merger.result();
        }
    }

    private NDArray crops(NDArray volume, List<int[]> batch) {
        List<NDArray> crops = new ArrayList<>(batch.size());
        for (int[] s : batch) {
            crops.add(
                    volume.get(
                            new NDIndex()
                                    .addAllDim()
                                    .addAllDim()
                                    .addSliceDim(s[0], s[0] + roi[0])
                                    .addSliceDim(s[1], s[1] + roi[1])
                                    .addSliceDim(s[2], s[2] + roi[2])));
        }
        return crops.size() == 1 ? crops.get(0) : NDArrays.concat(new NDList(crops), 0);
    }

    private void checkOutput(NDArray logits, int windows) {
        long[] outShape = logits.getShape().getShape();
        if (outShape.length != 5
                || outShape[0] != windows
                || outShape[2] != roi[0]
                || outShape[3] != roi[1]
                || outShape[4] != roi[2]) {
            throw new InferenceFailedException(
                    "Network output "
                            + logits.getShape()
                            + " does not match its windows "
                            + Arrays.toString(roi));
        }
    }

    /** The plan for an image of this spatial shape. */
    public WindowPlan plan(int[] imageShape) {
        return WindowPlan.of(imageShape, roi, overlap);
    }

    /**
     * Runs the network over the image.
     *
     * @param input {@code (C, X, Y, Z)}, C order
     * @param network the network, used by this thread only during the call
     * @param manager the request's manager on the predictor's device; arrays of each batch are
     *     closed before the next
     * @return the blended output {@code (C', X, Y, Z)}
     */
    public DenseArray run(DenseArray input, WindowFunction network, NDManager manager) {
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException(
                    "Expected (C, X, Y, Z), got " + Arrays.toString(shape));
        }
        WindowPlan plan = plan(new int[] {shape[1], shape[2], shape[3]});
        DenseArray padded = plan.pad(input);
        int[] p = plan.paddedShape();
        try (NDManager request = manager.newSubManager()) {
            NDArray volume =
                    request.create(padded.data(), new Shape(1, shape[0], p[0], p[1], p[2]));
            IntFunction<Merger<DenseArray>> merger =
                    channels -> new WindowMerger(plan, channels, importance);
            return merge(volume, true, plan, network, request, merger);
        }
    }
}
