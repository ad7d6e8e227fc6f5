package org.monailabel.apps.template;

import java.util.Optional;
import org.monailabel.engine.segmentation.SegmentationTask;

/**
 * {@code segmentation}: the phantom organs, automatically. Serves the newest version its trainer
 * published; on a fresh server it starts from the weights bundled in this jar ({@code
 * /models/segmentation/}), so it segments before anything was trained.
 */
public final class Segmentation extends SegmentationTask {
    public Segmentation() {
        super(
                SegmentationModel.NAME,
                "Liver, spleen, kidneys and spine of the sample phantoms (UNet, 3 mm)",
                SegmentationModel.LABELS);
    }

    @Override
    protected Optional<String> bundledModel() {
        return Optional.of("/models/segmentation/");
    }
}
