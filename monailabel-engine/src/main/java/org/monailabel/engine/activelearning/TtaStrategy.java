package org.monailabel.engine.activelearning;

import java.time.Clock;

/**
 * MONAI Label's {@code tta}: the unlabeled image with the highest {@code tta_vvc} (written by a
 * {@code TtaScoring}), as {@link UncertaintyStrategy} ranks. Apps register it by subclassing.
 */
public class TtaStrategy extends UncertaintyStrategy {
    public TtaStrategy() {
        super("tta", "Get First Sample Based on TTA score", "tta_vvc", ONE_DAY, Clock.systemUTC());
    }
}
