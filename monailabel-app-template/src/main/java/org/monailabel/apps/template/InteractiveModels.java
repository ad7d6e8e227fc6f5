package org.monailabel.apps.template;

import java.util.Map;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;

/**
 * What the template's interactive models are. {@code deepgrow_3d} (and {@code deepgrow_2d}, which
 * serves the same weights slice by slice): a small UNet (16-32-64-128, two residual units) on crops
 * of 64^3 voxels at 2 mm (128 mm) around the clicks, inputs image + positive + negative guidance,
 * outputs background + structure. {@code deepedit}: the same network shape on the whole volume at 4
 * mm, inputs image + one guidance channel per label (background first), outputs the labels. Both
 * use the segmentation model's CT window. The bundled weights were trained from these cards ({@code
 * benchmarks/run TrainInteractiveModels}).
 */
final class InteractiveModels {
    static final String DEEPGROW = "deepgrow_3d";
    static final String DEEPGROW_2D = "deepgrow_2d";
    static final String DEEPEDIT = "deepedit";

    static final UNetConfig DEEPGROW_NETWORK =
            new UNetConfig(
                    3,
                    2,
                    new int[] {16, 32, 64, 128},
                    new int[] {2, 2, 2},
                    2,
                    Norm.BATCH,
                    Activation.PRELU,
                    0);

    static final ModelCard DEEPGROW_CARD =
            new ModelCard(
                    DEEPGROW,
                    0,
                    "unet",
                    DEEPGROW_NETWORK.toMap(),
                    "model.params",
                    SegmentationModel.LABELS,
                    new double[] {2, 2, 2},
                    IntensityWindow.ct(-175, 250),
                    new int[] {64, 64, 64},
                    0,
                    1,
                    BlendMode.CONSTANT,
                    Map.of());

    static final UNetConfig DEEPEDIT_NETWORK =
            new UNetConfig(
                    1 + SegmentationModel.LABELS.size(),
                    SegmentationModel.LABELS.size(),
                    new int[] {16, 32, 64, 128},
                    new int[] {2, 2, 2},
                    2,
                    Norm.BATCH,
                    Activation.PRELU,
                    0);

    static final ModelCard DEEPEDIT_CARD =
            new ModelCard(
                    DEEPEDIT,
                    0,
                    "unet",
                    DEEPEDIT_NETWORK.toMap(),
                    "model.params",
                    SegmentationModel.LABELS,
                    new double[] {4, 4, 4},
                    IntensityWindow.ct(-175, 250),
                    new int[] {96, 96, 96},
                    0,
                    1,
                    BlendMode.CONSTANT,
                    Map.of());

    /** DeepGrow training on CPU: batches of 2 crops, up to 2 rounds of simulated clicks. */
    static final Map<String, Object> DEEPGROW_TRAINING =
            Map.of(
                    "train_batch_size",
                    2,
                    "learning_rate",
                    2e-3,
                    "max_rounds",
                    2,
                    "val_interval",
                    2,
                    "max_epochs",
                    40);

    /**
     * DeepEdit training on CPU: crops of 80^3 at 4 mm (320 mm), batches of 2, automatic a third of
     * the time.
     */
    static final Map<String, Object> DEEPEDIT_TRAINING =
            Map.of(
                    "train_batch_size",
                    2,
                    "crop_size",
                    80,
                    "learning_rate",
                    2e-3,
                    "max_rounds",
                    2,
                    "auto_probability",
                    0.33,
                    "val_interval",
                    2,
                    "max_epochs",
                    40);

    private InteractiveModels() {}
}
