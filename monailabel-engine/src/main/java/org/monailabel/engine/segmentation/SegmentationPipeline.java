package org.monailabel.engine.segmentation;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Collection;
import java.util.Map;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
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
 * the card's spacing, window the intensities, sliding-window inference, argmax (and optionally
 * the largest connected component per label), then the inverse of every spatial step with
 * nearest-neighbour resampling, so that the label lands exactly on the input's grid and affine.
 * Stateless; runs on the calling (worker) thread with that thread's network.
 */
public final class SegmentationPipeline {
    /** Parameter: keep only the largest connected component of each label (26-connectivity). */
    public static final String LARGEST_CC = "largest_cc";

    private SegmentationPipeline() {}

    /**
     * Segments an image. The image is read once into the resampled network input and then
     * dropped; the caller should not keep a reference to it either, so that the heap holds at
     * most the image and the network input at once. The model's output never exists whole: it
     * is merged slab by slab into the label map.
     *
     * @return the label map on the input grid, of {@code uint8} model label indices
     */
    public static Volume run(Volume image, ModelCard card, Network network, Device device, Params params,
            Latencies latencies) {
        int[] shape = image.shape();
        Affine affine = image.affine();
        Prepared prepared = prepare(image, card);
        image = null; // only its geometry is needed from here on
        Grid grid = prepared.grid();
        float[][] input = {prepared.input()};
        prepared = null;
        int[] g = grid.shape();
        latencies.mark("pre");

        SlidingWindowInferer inferer = new SlidingWindowInferer(card.roiSize(), card.overlap(), card.swBatchSize(),
                card.blend(), 0.125);
        Volume labels;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            labels = inferer.runToLabels(new DenseArray(new int[] {1, g[0], g[1], g[2]}, take(input)),
                    batch -> network.forward(batch, false), manager, grid.affine());
        }
        latencies.mark("infer");

        if (params.getBoolean(LARGEST_CC, false)) {
            Collection<Integer> values = card.foregroundLabels().values();
            labels = LabelMaps.keepLargestComponent(labels, values, ConnectedComponents.Connectivity.TWENTY_SIX);
        }
        latencies.mark("post");

        // the inverse of orientation and spacing at once: nearest neighbour onto the stored grid
        Volume restored = Resample.resampleLabels(labels, new Grid(new int[] {shape[0], shape[1], shape[2]}, affine));
        latencies.mark("invert");
        return restored.withMetadata(Map.of("labels", card.foregroundLabels()));
    }

    /**
     * The network input of an image: reoriented to RAS, resampled to the card's spacing (both in
     * one trilinear pass from the stored grid) and windowed.
     *
     * @param input {@code (X, Y, Z)} floats in C order on {@code grid}
     */
    public record Prepared(float[] input, Grid grid) {}

    /** Pre-processes an image as the card says (the "pre" stage). */
    public static Prepared prepare(Volume image, ModelCard card) {
        check(image);
        int[] shape = image.shape();
        Orientation toRas = Orientation.toRas(image.affine());
        Grid grid = new Spacing(card.spacing()).plan(toRas.apply(shape), toRas.apply(image.affine(), shape));
        checkMemory(grid.shape(), card.labels().size());
        float[] input = Resample.resampleToDense(image, grid);
        card.intensity().applyInPlace(input);
        return new Prepared(input, grid);
    }

    /** Hands the array over: the holder forgets it, so only the callee keeps it alive. */
    private static float[] take(float[][] holder) {
        float[] a = holder[0];
        holder[0] = null;
        return a;
    }

    private static void check(Volume image) {
        if (image.sizeZ() == 1) {
            throw new InvalidInputException("Image is 2-D (" + image.sizeX() + "x" + image.sizeY()
                    + "); this model needs a 3-D volume");
        }
        if (image.channels() > 1) {
            throw new InvalidInputException("Image has " + image.channels() + " channels; this model needs one");
        }
        if (!image.affine().isInvertible()) {
            throw new InvalidInputException("Image geometry is degenerate (its affine cannot be inverted)");
        }
        if (image.type().isFloatingPoint()) {
            long n = image.voxelCount();
            for (long i = 0; i < n; i++) {
                if (!Double.isFinite(image.get(i))) {
                    throw new InvalidInputException("Image contains NaN or infinite voxels (first at index " + i + ")");
                }
            }
        }
    }

    /**
     * Refuses work that cannot fit the heap at all (before allocating anything): the network input
     * is a float per resampled voxel, the merge buffer at most a float per voxel and channel.
     */
    private static void checkMemory(int[] grid, int channels) {
        long voxels = (long) grid[0] * grid[1] * grid[2];
        long needed = voxels * 4L * (1L + Math.max(2, channels)) + voxels;
        long heap = Runtime.getRuntime().maxMemory();
        if (voxels > Integer.MAX_VALUE / Math.max(2, channels) || needed > heap) {
            throw new InvalidInputException(String.format("Image too large for this model: %dx%dx%d voxels after "
                    + "resampling need up to %d MiB, the server has %d MiB of heap", grid[0], grid[1], grid[2],
                    needed >> 20, heap >> 20));
        }
    }
}
