package org.monailabel.engine.train;

import java.util.Map;
import java.util.Objects;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.transform.Grid;

/**
 * How a trainer brings a study's image onto its network's grid: the pre-processing the model is
 * served with, so that it trains on what it sees at inference. {@link TrainingData#prepare} reads
 * the study, calls {@link #prepare}, and resamples the label onto the returned grid with nearest
 * neighbours; {@link PreparedCache} keys every cached study by {@link #cacheKey}, so a change of
 * the pre-processing never reads a stale entry. {@link #ofCard()} is the default: the card's
 * spacing and intensity window ({@code SegmentationPipeline}). Implementations are stateless: the
 * batch loader's thread and validation call them concurrently.
 */
public interface StudyPreprocessing {
    /**
     * An image as the network sees it.
     *
     * @param image the network input on {@code grid}, C order {@code (X, Y, Z)}, one channel
     * @param grid the network grid: its shape and voxel-to-world affine
     */
    record OnGrid(float[] image, Grid grid) {
        public OnGrid {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(grid, "grid");
        }
    }

    /** The image pre-processed for the network of {@code card}. */
    OnGrid prepare(Volume image, ModelCard card);

    /** The model's label indices by name, onto which a study's label is mapped. */
    Map<String, Integer> labels(ModelCard card);

    /**
     * Everything besides the study's files that the prepared sample depends on, as values with a
     * stable {@code toString} (part of {@link PreparedCache#key}).
     */
    Map<String, Object> cacheKey(ModelCard card);

    /** The card's pre-processing: reoriented, resampled to its spacing, its intensity window. */
    static StudyPreprocessing ofCard() {
        return CardPreprocessing.INSTANCE;
    }
}
