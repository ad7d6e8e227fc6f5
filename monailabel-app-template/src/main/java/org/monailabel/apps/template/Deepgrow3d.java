package org.monailabel.apps.template;

import java.util.Optional;
import org.monailabel.engine.interactive.DeepgrowTask;

/**
 * {@code deepgrow_3d}: click a structure, get its 3-D mask (bundled weights at {@code
 * /models/deepgrow_3d/}).
 */
public final class Deepgrow3d extends DeepgrowTask {
    public Deepgrow3d() {
        super(
                InteractiveModels.DEEPGROW,
                "Click-based 3-D segmentation of any phantom organ (UNet, 2 mm crops)",
                PhantomLabels.FOREGROUND,
                3);
    }

    @Override
    protected Optional<String> bundledModel() {
        return Optional.of("/models/" + InteractiveModels.DEEPGROW + "/");
    }
}
