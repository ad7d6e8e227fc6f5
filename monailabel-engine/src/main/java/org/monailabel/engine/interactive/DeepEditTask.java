package org.monailabel.engine.interactive;

import java.util.ArrayList;
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
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.segmentation.Latencies;

/**
 * DeepEdit: multi-label segmentation of the whole volume that clicks refine. 3D Slicer sends one
 * click list per label name (docs/rest-api.md §6.1), {@code background} included; with no clicks at
 * all it is an automatic segmentation. The network sees the whole image on the card's grid (padded
 * to a multiple of the network's divisor) with one guidance channel per label in index order (MONAI
 * Label's DeepEdit: image + one channel per label, background first; all zero in automatic mode)
 * and answers the model's label indices, which land on the input grid unchanged. Apps subclass it
 * with a no-arg constructor.
 */
public abstract class DeepEditTask extends InteractiveTask {
    /**
     * @param labels label name to index, {@code background} 0 included, contiguous from 0
     */
    protected DeepEditTask(String name, String description, Map<String, Integer> labels) {
        super(name, description, labels);
    }

    @Override
    public ModelInfo info() {
        ModelInfo base = super.info();
        Map<String, Integer> labels = new LinkedHashMap<>();
        labels.put("background", 0);
        labels.putAll(base.labels());
        return new ModelInfo(
                base.name(),
                ModelType.DEEPEDIT,
                labels,
                3,
                base.description(),
                Map.of("cache_transforms", true, "cache_transforms_ttl", 300));
    }

    /** DeepEdit runs on the whole image. */
    @Override
    public boolean needsWholeImage() {
        return true;
    }

    @Override
    protected Result run(
            PreparedImages.Entry image,
            Params params,
            Network network,
            LoadedModel model,
            Latencies latencies) {
        ModelCard card = model.card();
        int[] shape = image.inputGrid().shape();
        List<String> names = labelOrder(card);
        for (String key : params.asMap().keySet()) {
            if (params.get(key).orElse(null) instanceof List<?> l
                    && !l.isEmpty()
                    && l.get(0) instanceof List<?>
                    && !names.contains(key)
                    && !key.equals(Clicks.FOREGROUND)
                    && !key.equals("roi")) {
                throw new InvalidInputException(
                        "Model '"
                                + card.name()
                                + "' does not know the label '"
                                + key
                                + "' its clicks were sent for (it knows "
                                + names
                                + ")");
            }
        }
        String edited = params.getString(Clicks.LABEL, "").trim();
        List<List<int[]>> clicks = new ArrayList<>();
        int total = 0;
        for (String name : names) {
            List<int[]> points = new ArrayList<>();
            Clicks.read(params, name, shape).forEach(p -> points.add(toNetwork(p, image)));
            if (name.equals(edited)
                    && !name.equals(
                            Clicks.BACKGROUND)) { // single-label mode: foreground = the label
                Clicks.read(params, Clicks.FOREGROUND, shape)
                        .forEach(p -> points.add(toNetwork(p, image)));
            }
            total += points.size();
            clicks.add(points);
        }
        int divisor = UNetConfig.fromMap(card.hyperparameters()).divisor();
        CropBox box = wholeVolume(image.grid().shape(), divisor);
        byte[] labels = segment(box, image.input(), image.grid().shape(), clicks, network, model);
        latencies.mark("infer");
        Volume label = box.pasteBack(labels, image.grid(), image.inputGrid(), -1);
        latencies.mark("invert");
        return new Result(
                label,
                card.foregroundLabels(),
                Map.of("mode", total == 0 ? "automatic" : "interactive"));
    }

    /** Label names by index, background first: the order of the guidance and output channels. */
    static List<String> labelOrder(ModelCard card) {
        return card.labels().entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The whole grid, padded evenly up to a multiple of {@code divisor} per axis. */
    static CropBox wholeVolume(int[] gridShape, int divisor) {
        int[] start = new int[3];
        int[] size = new int[3];
        for (int a = 0; a < 3; a++) {
            size[a] = (gridShape[a] + divisor - 1) / divisor * divisor;
            start[a] = -((size[a] - gridShape[a]) / 2);
        }
        return new CropBox(start, size);
    }

    /** Label indices (argmax) of the box; clicks per label in network-grid voxels. */
    static byte[] segment(
            CropBox box,
            float[] image,
            int[] gridShape,
            List<List<int[]>> clicks,
            Network network,
            LoadedModel model) {
        int[] size = box.size();
        float[] crop = box.crop(image, gridShape, padValue(model.card()));
        List<List<int[]>> inBox =
                clicks.stream().map(l -> l.stream().map(box::toBox).toList()).toList();
        float[] input = Guidance.stack(crop, size, inBox, Guidance.SIGMA);
        int channels = clicks.size();
        float[] logits = forward(network, model, input, 1 + channels, size);
        return argmax(logits, channels, box.voxels());
    }
}
