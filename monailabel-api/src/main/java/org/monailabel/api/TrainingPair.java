package org.monailabel.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An image with one of its labels, as a trainer reads them.
 *
 * @param imageId the image id
 * @param image a local file holding the image
 * @param label a local file holding the label
 * @param labelInfo the label's info (for example Slicer's {@code label_info} list of name and
 *     index), a snapshot
 */
public record TrainingPair(String imageId, Path image, Path label, Map<String, Object> labelInfo) {
    public TrainingPair {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(label, "label");
        labelInfo =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(labelInfo, "labelInfo")));
    }
}
