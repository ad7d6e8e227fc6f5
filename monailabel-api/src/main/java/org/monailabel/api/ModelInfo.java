package org.monailabel.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code /info/} says about an inference model (MONAI Label's {@code models[name]}).
 *
 * @param name the name used in {@code /infer/{name}}; non-empty, no {@code /}
 * @param type the kind of model
 * @param labels label name to label index (voxel value), in index order; may be empty
 * @param dimension 2 for slice-by-slice models (the client then sends {@code slice}), else 3
 * @param description one line for the client's tooltip
 * @param config user-tunable defaults sent back with each request: values are strings, booleans,
 *     numbers, or lists of strings (a list is a choice; its first element is the default)
 */
public record ModelInfo(
        String name,
        ModelType type,
        Map<String, Integer> labels,
        int dimension,
        String description,
        Map<String, Object> config) {

    public ModelInfo {
        Names.check("Model", name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        labels =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(labels, "labels")));
        config =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(config, "config")));
        if (dimension != 2 && dimension != 3) {
            throw new IllegalArgumentException(
                    "Model '" + name + "' dimension must be 2 or 3, got " + dimension);
        }
    }

    /** A 3-D model with no user config. */
    public static ModelInfo of(
            String name, ModelType type, Map<String, Integer> labels, String description) {
        return new ModelInfo(name, type, labels, 3, description, Map.of());
    }
}
