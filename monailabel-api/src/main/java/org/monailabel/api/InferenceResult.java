package org.monailabel.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model produced.
 *
 * @param file the result file (a label on the input image's grid), inside the request's work
 *     folder; its name's extension is the format; empty only for models that produce no file
 *     (classification)
 * @param json the result JSON: at least {@code label_names} (name to index) and {@code latencies}
 *     (seconds per stage: {@code pre}, {@code infer}, {@code invert}, {@code post}, {@code write},
 *     {@code total}) for segmentation models
 */
public record InferenceResult(Optional<Path> file, Map<String, Object> json) {
    public InferenceResult {
        Objects.requireNonNull(file, "file");
        json =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(json, "json")));
    }
}
