package org.monailabel.apps.template;

import org.monailabel.engine.scoring.EpistemicScoring;

/**
 * {@code segmentation_epistemic}: scores the unlabeled images by Monte-Carlo dropout (the model has
 * dropout 0.1), in the background, for the {@code epistemic} strategy.
 */
public final class SegmentationEpistemic extends EpistemicScoring {
    public SegmentationEpistemic() {
        super(SegmentationModel.NAME);
    }
}
