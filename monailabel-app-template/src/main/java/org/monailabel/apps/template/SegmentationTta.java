package org.monailabel.apps.template;

import org.monailabel.engine.scoring.TtaScoring;

/**
 * {@code segmentation_tta}: scores the unlabeled images by test-time augmentation (flips), for
 * {@code tta}.
 */
public final class SegmentationTta extends TtaScoring {
    public SegmentationTta() {
        super(SegmentationModel.NAME);
    }
}
