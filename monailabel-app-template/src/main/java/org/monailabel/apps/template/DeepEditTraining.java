package org.monailabel.apps.template;

import org.monailabel.engine.interactive.InteractiveTrainer;

/**
 * Trains {@code deepedit} with simulated clicks (and a third of the time without) on the final
 * labels.
 */
public final class DeepEditTraining extends InteractiveTrainer {
    public DeepEditTraining() {
        super(
                InteractiveModels.DEEPEDIT,
                "Train DeepEdit with simulated clicks",
                InteractiveModels.DEEPEDIT_CARD,
                Kind.DEEPEDIT,
                InteractiveModels.DEEPEDIT_TRAINING);
    }
}
