package org.monailabel.apps.template;

import org.monailabel.engine.interactive.InteractiveTrainer;

/**
 * Trains {@code deepgrow_3d} (and so {@code deepgrow_2d}) with simulated clicks on the final
 * labels.
 */
public final class DeepgrowTraining extends InteractiveTrainer {
    public DeepgrowTraining() {
        super(
                InteractiveModels.DEEPGROW,
                "Train DeepGrow with simulated clicks",
                InteractiveModels.DEEPGROW_CARD,
                Kind.DEEPGROW,
                InteractiveModels.DEEPGROW_TRAINING);
    }
}
