package org.monailabel.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The published weights of a model as {@code GET /model/info/{model}} describes them.
 *
 * @param sha256 the weights file's SHA-256 in lower-case hex
 * @param modifiedTime when the weights file was last written, in seconds since the epoch
 * @param trainStats the statistics of the trainer of the same name, empty when there is none
 */
public record WeightsInfo(String sha256, long modifiedTime, Map<String, Object> trainStats) {
    public WeightsInfo {
        Objects.requireNonNull(sha256, "sha256");
        trainStats =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(trainStats, "trainStats")));
    }
}
