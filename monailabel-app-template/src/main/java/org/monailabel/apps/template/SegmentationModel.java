package org.monailabel.apps.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;

/**
 * The one place that says what the template's {@code segmentation} model is: a small MONAI-style
 * UNet on the phantom organs (liver, spleen, kidneys, spine) at 3 mm, CT window -175..250 HU,
 * sliding windows of 96 voxels. The trainer starts from this card; the bundled weights were trained
 * from it (see the README of this module).
 */
final class SegmentationModel {
    static final String NAME = "segmentation";

    /** Label name to the model's output channel: background 0, then the phantom organs 1..5. */
    static final Map<String, Integer> LABELS = labels();

    /**
     * Channels per level, strides between them, two residual units, batch norm, PReLU, dropout 0.1
     * (for epistemic scoring).
     */
    static final UNetConfig NETWORK =
            new UNetConfig(
                    1,
                    6,
                    new int[] {16, 32, 64, 128},
                    new int[] {2, 2, 2},
                    2,
                    Norm.BATCH,
                    Activation.PRELU,
                    0.1);

    static final ModelCard CARD =
            new ModelCard(
                    NAME,
                    0,
                    "unet",
                    NETWORK.toMap(),
                    "model.params",
                    LABELS,
                    new double[] {3, 3, 3},
                    IntensityWindow.ct(-175, 250),
                    new int[] {96, 96, 96},
                    0.25,
                    4,
                    BlendMode.GAUSSIAN,
                    Map.of());

    /**
     * Training defaults for this small model on CPU: crops of 64 voxels (192 mm), batches of 4,
     * Adam at 1e-3 with cosine decay, validation every other epoch. The bundled weights were
     * trained from scratch at 2e-3 ({@code benchmarks/run TrainTemplateModel}).
     */
    static final Map<String, Object> TRAINING =
            Map.of(
                    "crop_size",
                    64,
                    "train_batch_size",
                    4,
                    "learning_rate",
                    1e-3,
                    "max_epochs",
                    30,
                    "val_interval",
                    2);

    private SegmentationModel() {}

    private static Map<String, Integer> labels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("background", 0);
        m.putAll(PhantomGenerator.LABELS);
        return Collections.unmodifiableMap(m);
    }
}
