package org.monailabel.engine.interactive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ModelType;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.segmentation.Latencies;

/**
 * DeepGrow: positive ({@code foreground}) and negative ({@code background}) clicks on one
 * structure, a binary mask of it back (value 1, which 3D Slicer imports into the segment being
 * edited). The network sees a crop of the card's {@code roi_size} on the card's grid, centred on
 * the foreground clicks, with three input channels (image, positive and negative guidance) and two
 * outputs (background, structure). The 2-D variant ({@code dimension 2}) runs the same network on
 * the crop around the clicks of the {@code slice} sent (clicks are taken on that slice) and returns
 * only that slice, the rest of the volume 0. Apps subclass it with a no-arg constructor.
 */
public abstract class DeepgrowTask extends InteractiveTask {
    private final int dimension;

    /**
     * @param labels the structures it was trained on (shown to clients; any structure may be
     *     clicked)
     * @param dimension 3, or 2 for slice-by-slice use
     */
    protected DeepgrowTask(
            String name, String description, Map<String, Integer> labels, int dimension) {
        super(name, description, labels);
        if (dimension != 2 && dimension != 3) {
            throw new IllegalArgumentException("dimension must be 2 or 3");
        }
        this.dimension = dimension;
    }

    @Override
    public ModelInfo info() {
        ModelInfo base = super.info();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cache_transforms", true);
        config.put("cache_transforms_ttl", 300);
        return new ModelInfo(
                base.name(),
                ModelType.DEEPGROW,
                base.labels(),
                dimension,
                base.description(),
                config);
    }

    @Override
    protected Result run(
            PreparedImages.Entry image,
            Params params,
            Network network,
            LoadedModel model,
            Latencies latencies) {
        int[] shape = image.inputGrid().shape();
        int slice = dimension == 2 ? Clicks.slice(params, shape) : -1;
        List<int[]> foreground = onSlice(Clicks.read(params, Clicks.FOREGROUND, shape), slice);
        List<int[]> background = onSlice(Clicks.read(params, Clicks.BACKGROUND, shape), slice);
        if (foreground.isEmpty()) {
            throw new InvalidInputException(
                    "DeepGrow needs at least one click in 'foreground' (voxel indices [i, j, k])");
        }
        ModelCard card = model.card();
        List<int[]> positive = new ArrayList<>();
        foreground.forEach(p -> positive.add(toNetwork(p, image)));
        List<int[]> negative = new ArrayList<>();
        background.forEach(p -> negative.add(toNetwork(p, image)));
        CropBox box = CropBox.around(positive, image.grid().shape(), card.roiSize());
        byte[] mask =
                segment(box, image.crop(box, padValue(card)), positive, negative, network, model);
        latencies.mark("infer");
        Volume label = box.pasteBack(mask, image.grid(), image.inputGrid(), slice);
        latencies.mark("invert");
        String name = params.getString(Clicks.LABEL, "").trim();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put(
                "crop",
                Map.of(
                        "start",
                        Arrays.stream(box.start()).boxed().toList(),
                        "size",
                        Arrays.stream(box.size()).boxed().toList())); // on the network grid
        return new Result(label, Map.of(name.isEmpty() ? "foreground" : name, 1), extra);
    }

    /**
     * The binary mask (0/1) of the crop: its image values ({@code crop}, C order, padded) and
     * guidance through the network. Clicks in network-grid voxels.
     */
    static byte[] segment(
            CropBox box,
            float[] crop,
            List<int[]> positive,
            List<int[]> negative,
            Network network,
            LoadedModel model) {
        int[] size = box.size();
        float[] input =
                Guidance.stack(
                        crop,
                        size,
                        List.of(inBox(box, positive), inBox(box, negative)),
                        Guidance.SIGMA);
        float[] logits = forward(network, model, input, 3, size);
        return argmax(logits, 2, box.voxels());
    }

    private static List<int[]> inBox(CropBox box, List<int[]> points) {
        return points.stream().map(box::toBox).toList();
    }

    /**
     * 2-D: the clicks moved onto the slice (Slicer sends them on it; rounding may differ by one).
     */
    private static List<int[]> onSlice(List<int[]> clicks, int slice) {
        if (slice < 0) {
            return clicks;
        }
        return clicks.stream().map(c -> new int[] {c[0], c[1], slice}).toList();
    }
}
