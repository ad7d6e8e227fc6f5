package org.monailabel.apps.template;

import java.util.Optional;
import org.monailabel.engine.interactive.DeepEditTask;

/**
 * {@code deepedit}: the phantom organs automatically, refined by clicks per organ (bundled weights
 * at {@code /models/deepedit/}).
 */
public final class DeepEdit extends DeepEditTask {
    public DeepEdit() {
        super(
                InteractiveModels.DEEPEDIT,
                "Liver, spleen, kidneys and spine, automatic or refined by clicks (UNet, 4 mm)",
                PhantomLabels.FOREGROUND);
    }

    @Override
    protected Optional<String> bundledModel() {
        return Optional.of("/models/" + InteractiveModels.DEEPEDIT + "/");
    }
}
