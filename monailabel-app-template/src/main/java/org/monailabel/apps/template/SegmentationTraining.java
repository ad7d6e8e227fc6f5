package org.monailabel.apps.template;

import org.monailabel.engine.train.SegmentationTrainer;

/**
 * Trains {@code segmentation} from the datastore's final labels: fine-tunes the version being
 * served, or starts from scratch with {@code pretrained=false}. Publishing a version makes the
 * {@link Segmentation} task serve it at once.
 */
public final class SegmentationTraining extends SegmentationTrainer {
    public SegmentationTraining() {
        super(
                SegmentationModel.NAME,
                "Train the phantom organ segmentation",
                SegmentationModel.CARD,
                SegmentationModel.TRAINING);
    }
}
