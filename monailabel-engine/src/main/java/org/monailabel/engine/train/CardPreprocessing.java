package org.monailabel.engine.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.segmentation.SegmentationPipeline;

/**
 * {@link StudyPreprocessing#ofCard()}: the card's pre-processing as {@link SegmentationPipeline}
 * serves it, keyed by the card's labels, spacing and intensity window.
 */
final class CardPreprocessing implements StudyPreprocessing {
    static final CardPreprocessing INSTANCE = new CardPreprocessing();

    private CardPreprocessing() {}

    @Override
    public OnGrid prepare(Volume image, ModelCard card) {
        SegmentationPipeline.Prepared prepared = SegmentationPipeline.prepare(image, card);
        return new OnGrid(prepared.input(), prepared.grid());
    }

    @Override
    public Map<String, Integer> labels(ModelCard card) {
        return card.labels();
    }

    @Override
    public Map<String, Object> cacheKey(ModelCard card) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("labels", new TreeMap<>(card.labels()).toString());
        parts.put("spacing", Arrays.toString(card.spacing()));
        parts.put("intensity", card.intensity().toString());
        return parts;
    }
}
