package org.monailabel.engine.segmentation;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Collection;
import java.util.Map;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.postprocess.ConnectedComponents;
import org.monailabel.engine.postprocess.LabelMaps;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Interpolation;
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
     * Segments an image.
     *
     * @return the label map on the input grid (float values of the model's label indices)
     */
    public static Volume run(Volume image, ModelCard card, Network network, Device device, Params params,
            Latencies latencies) {
        check(image);
        Orientation toRas = Orientation.toRas(image.affine());
        Volume ras = toRas.apply(image);
        Spacing spacing = new Spacing(card.spacing());
        Grid resampledGrid = spacing.plan(ras.shape(), ras.affine());
        checkMemory(resampledGrid.shape(), card.labels().size());
        Volume resampled = Resample.resample(ras, resampledGrid, Interpolation.LINEAR);
        Volume input = card.intensity().apply(resampled);
        DenseArray dense = DenseArray.fromVolume(input);
        latencies.mark("pre");

        SlidingWindowInferer inferer = new SlidingWindowInferer(card.roiSize(), card.overlap(), card.swBatchSize(),
                card.blend(), 0.125);
        DenseArray logits;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            logits = inferer.run(dense, batch -> network.forward(batch, false), manager);
        }
        latencies.mark("infer");

        Volume labels = LabelMaps.argmax(logits, resampledGrid.affine());
        if (params.getBoolean(LARGEST_CC, false)) {
            Collection<Integer> values = card.foregroundLabels().values();
            labels = LabelMaps.keepLargestComponent(labels, values, ConnectedComponents.Connectivity.TWENTY_SIX);
        }
        latencies.mark("post");

        Volume back = Resample.resample(labels, new Grid(ras.shape(), ras.affine()), Interpolation.NEAREST);
        Volume restored = toRas.invert(back);
        latencies.mark("invert");
        return restored.withMetadata(Map.of("labels", card.foregroundLabels()));
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
     * Refuses work that cannot fit the heap: the resampled image, its logits and the merge buffers
     * are float arrays of the resampled grid.
     */
    private static void checkMemory(int[] grid, int channels) {
        long voxels = (long) grid[0] * grid[1] * grid[2];
        long needed = voxels * 4L * (3L + 3L * Math.max(2, channels));
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (voxels * Math.max(2, channels) > Integer.MAX_VALUE || needed > available) {
            throw new InvalidInputException(String.format("Image too large for this model: %dx%dx%d voxels after "
                    + "resampling need about %d MiB, %d MiB are free", grid[0], grid[1], grid[2], needed >> 20, available >> 20));
        }
    }
}
