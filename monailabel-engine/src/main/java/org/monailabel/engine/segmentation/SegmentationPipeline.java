package org.monailabel.engine.segmentation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Collection;
import java.util.Map;
import org.monailabel.api.Params;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.postprocess.ConnectedComponents;
import org.monailabel.engine.postprocess.LabelMaps;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Orientation;
import org.monailabel.engine.transform.Resample;
import org.monailabel.engine.transform.Spacing;

/**
 * One automatic segmentation, as MONAI Label's radiology app does it: reorient to RAS, resample to
 * the card's spacing, window the intensities, sliding-window inference, argmax (and optionally the
 * largest connected component per label), then the inverse of every spatial step with
 * nearest-neighbour resampling, so that the label lands exactly on the input's grid and affine.
 * Stateless; runs on the calling (worker) thread with that thread's network.
 */
public final class SegmentationPipeline {
    /** Parameter: keep only the largest connected component of each label (26-connectivity). */
    public static final String LARGEST_CC = "largest_cc";

    /** Parameter: fill enclosed holes of each label. */
    public static final String FILL_HOLES = "fill_holes";

    /**
     * Bytes of network activations assumed per window voxel (a 3-D UNet keeps tens of channels).
     */
    static final long ACTIVATION_BYTES_PER_VOXEL = 256;

    private SegmentationPipeline() {}

    /**
     * Segments an image. The image is read once into the resampled network input and then dropped;
     * the caller should not keep a reference to it either, so that the heap holds at most the image
     * and the network input at once. The model's output never exists whole: it is merged slab by
     * slab into the label map.
     *
     * @return the label map on the input grid, of {@code uint8} model label indices
     */
    public static Volume run(
            Volume image,
            ModelCard card,
            Network network,
            Device device,
            Params params,
            Latencies latencies) {
        check(image);
        checkWindows(card);
        int[] shape = image.shape();
        Affine affine = image.affine();
        Grid grid = plan(image, card);
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(
                        card.roiSize(), card.overlap(), card.swBatchSize(), card.blend(), 0.125);
        Volume labels;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray tensor = toDevice(image, grid, card.intensity(), manager, 1 << 22);
            image = null; // only its geometry is needed from here on
            latencies.mark("pre");
            // on a GPU the merge buffer stays on the device; on the CPU merging on the heap is
            // faster
            labels =
                    inferer.runToLabels(
                            tensor,
                            batch -> network.forward(batch, false),
                            grid.affine(),
                            device.isGpu());
        }
        latencies.mark("infer");

        if (params.getBoolean(LARGEST_CC, false)) {
            Collection<Integer> values = card.foregroundLabels().values();
            labels =
                    LabelMaps.keepLargestComponent(
                            labels, values, ConnectedComponents.Connectivity.TWENTY_SIX);
        }
        if (params.getBoolean(FILL_HOLES, false)) {
            labels = LabelMaps.fillHoles(labels, card.foregroundLabels().values());
        }
        latencies.mark("post");

        // the inverse of orientation and spacing at once: nearest neighbour onto the stored grid
        Volume restored =
                Resample.resampleLabels(
                        labels, new Grid(new int[] {shape[0], shape[1], shape[2]}, affine));
        latencies.mark("invert");
        return restored.withMetadata(Map.of("labels", card.foregroundLabels()));
    }

    /**
     * The network input on the device, {@code (1, 1, X, Y, Z)}: resampled and windowed slab by slab
     * through a small direct buffer, so neither the heap nor a second native copy ever holds the
     * whole input; the final rescale runs on the device.
     */
    static NDArray toDevice(
            Volume image, Grid grid, IntensityWindow window, NDManager manager, int chunkValues) {
        int[] g = grid.shape();
        NDArray tensor = manager.create(new Shape(1, 1, g[0], g[1], g[2]), DataType.FLOAT32);
        int plane = g[1] * g[2];
        int slab =
                Math.max(1, Math.min(g[0], chunkValues / plane)); // 4 Mi values: 16 MiB at a time
        ByteBuffer chunk = manager.allocateDirect(slab * plane * 4);
        FloatBuffer floats = chunk.asFloatBuffer();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int x0 = 0; x0 < g[0]; x0 += slab) {
            int n = Math.min(slab, g[0] - x0);
            Resample.resampleToDense(image, grid, floats, x0, n);
            float[] range = window.windowInPlace(floats, n * plane);
            min = Math.min(min, range[0]);
            max = Math.max(max, range[1]);
            try (NDArray part =
                    manager.create(chunk, new Shape(1, 1, n, g[1], g[2]), DataType.FLOAT32)) {
                tensor.set(new NDIndex().addAllDim().addAllDim().addSliceDim(x0, x0 + n), part);
            }
        }
        window.rescale(tensor, min, max);
        Reference.reachabilityFence(chunk); // the tensors made from it read its memory directly
        return tensor;
    }

    /** The grid the network sees (package-private for tests). */
    static Grid gridOf(Volume image, ModelCard card) {
        return plan(image, card);
    }

    /**
     * The grid the network sees: the image reoriented to RAS and resampled to the card's spacing.
     */
    private static Grid plan(Volume image, ModelCard card) {
        int[] shape = image.shape();
        Orientation toRas = Orientation.toRas(image.affine());
        Grid grid =
                new Spacing(card.spacing())
                        .plan(toRas.apply(shape), toRas.apply(image.affine(), shape));
        checkSize(grid.shape(), card.labels().size());
        return grid;
    }

    /**
     * The network input of an image: reoriented to RAS, resampled to the card's spacing (both in
     * one trilinear pass from the stored grid) and windowed.
     *
     * @param input {@code (X, Y, Z)} floats in C order on {@code grid}
     */
    public record Prepared(float[] input, Grid grid) {}

    /**
     * The grid {@link #prepare} resamples an image onto, after the same checks of the image,
     * without resampling anything: for callers that prepare only a region of it.
     */
    public static Grid networkGrid(Volume image, ModelCard card) {
        check(image);
        return plan(image, card);
    }

    /** Pre-processes an image as the card says (the "pre" stage). */
    public static Prepared prepare(Volume image, ModelCard card) {
        Grid grid = networkGrid(image, card);
        float[] input = Resample.resampleToDense(image, grid);
        card.intensity().applyInPlace(input);
        return new Prepared(input, grid);
    }

    /**
     * Refuses a sliding window the machine cannot hold: the network's activations for one batch of
     * windows are estimated at {@link #ACTIVATION_BYTES_PER_VOXEL} per window voxel and compared
     * with the machine's physical memory, before anything is computed.
     */
    static void checkWindows(ModelCard card) {
        int[] roi = card.roiSize();
        long needed =
                (long) roi[0] * roi[1] * roi[2] * card.swBatchSize() * ACTIVATION_BYTES_PER_VOXEL;
        long physical = physicalMemory();
        if (needed > physical) {
            throw new InferenceFailedException(
                    String.format(
                            "Model '%s': a sliding window of %dx%dx%d voxels, %d per batch, needs"
                                + " about %d GiB for the network; this machine has %d GiB. Use a"
                                + " smaller roi_size or sw_batch_size in its model card",
                            card.name(),
                            roi[0],
                            roi[1],
                            roi[2],
                            card.swBatchSize(),
                            needed >> 30,
                            physical >> 30));
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    private static void check(Volume image) {
        if (image.sizeZ() == 1) {
            throw new InvalidInputException(
                    "Image is 2-D ("
                            + image.sizeX()
                            + "x"
                            + image.sizeY()
                            + "); this model needs a 3-D volume");
        }
        if (image.channels() > 1) {
            throw new InvalidInputException(
                    "Image has " + image.channels() + " channels; this model needs one");
        }
        if (!image.affine().isInvertible()) {
            throw new InvalidInputException(
                    "Image geometry is degenerate (its affine cannot be inverted)");
        }
        if (image.type().isFloatingPoint()) {
            long n = image.voxelCount();
            for (long i = 0; i < n; i++) {
                if (!Double.isFinite(image.get(i))) {
                    throw new InvalidInputException(
                            "Image contains NaN or infinite voxels (first at index " + i + ")");
                }
            }
        }
    }

    /**
     * Refuses grids that cannot be processed at all, before allocating anything: the network input
     * and each channel of the merge buffer must stay below 2^31 values.
     */
    private static void checkSize(int[] grid, int channels) {
        long voxels = (long) grid[0] * grid[1] * grid[2];
        if (voxels * 4 > Integer.MAX_VALUE || voxels * Math.max(2, channels) > Integer.MAX_VALUE) {
            throw new InvalidInputException(
                    String.format(
                            "Image too large for this model: %dx%dx%d voxels after "
                                    + "resampling to %s mm",
                            grid[0], grid[1], grid[2], "the model's spacing"));
        }
    }
}
