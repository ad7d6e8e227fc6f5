package org.monailabel.engine.activelearning;

import java.time.Clock;

/**
 * MONAI Label's {@code epistemic}: the unlabeled image with the highest {@code epistemic_entropy}
 * (written by an {@code EpistemicScoring}), as {@link UncertaintyStrategy} ranks. Apps register it
 * by subclassing.
 */
public class EpistemicStrategy extends UncertaintyStrategy {
    public EpistemicStrategy() {
        super(
                "epistemic",
                "Get First Sample Based on Epistemic score",
                "epistemic_entropy",
                ONE_DAY,
                Clock.systemUTC());
    }
}
