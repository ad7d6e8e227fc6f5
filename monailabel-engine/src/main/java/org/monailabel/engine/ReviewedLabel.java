package org.monailabel.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.engine.datastore.LabelVersion;

/**
 * A label after a review ({@link Labels#review}).
 *
 * @param imageId the label's image id
 * @param tag the label's tag
 * @param version the version reviewed, when the datastore keeps a history
 * @param segmentationMeta what the label's info now holds under {@code segmentationMeta}, the
 *     Reviewer's keys: {@code status}, {@code approvedBy}, {@code level}, {@code comment}, {@code
 *     editTime} (epoch seconds)
 */
public record ReviewedLabel(
        String imageId,
        String tag,
        Optional<LabelVersion> version,
        Map<String, Object> segmentationMeta) {
    public ReviewedLabel {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(version, "version");
        segmentationMeta = Collections.unmodifiableMap(new LinkedHashMap<>(segmentationMeta));
    }

    /** The review state the meta says. */
    public ReviewState state() {
        return ReviewState.ofReviewerStatus(segmentationMeta.get("status"));
    }
}
