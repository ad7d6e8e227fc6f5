package org.monailabel.apps.template;

import java.util.Optional;
import org.monailabel.engine.interactive.DeepgrowTask;

/**
 * {@code deepgrow_2d}: clicks on one slice, the mask of that slice back. It serves the {@code
 * deepgrow_3d} weights (the same model store, so training {@code deepgrow_3d} updates both, and
 * {@code /model/deepgrow_2d} is those weights): the 3-D network sees the crop around the clicks and
 * only the clicked slice is returned.
 */
public final class Deepgrow2d extends DeepgrowTask {
    public Deepgrow2d() {
        super(
                InteractiveModels.DEEPGROW_2D,
                "Click-based segmentation of one slice (the deepgrow_3d network)",
                PhantomLabels.FOREGROUND,
                2);
    }

    @Override
    protected String storeName() {
        return InteractiveModels.DEEPGROW;
    }

    @Override
    protected Optional<String> bundledModel() {
        return Optional.of("/models/" + InteractiveModels.DEEPGROW + "/");
    }
}
