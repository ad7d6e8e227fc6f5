package org.monailabel.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code /info/} says about a trainer (MONAI Label's {@code trainers[name]}).
 *
 * @param name the name used in {@code /train/{name}}; by convention the name of the model it trains
 * @param description one line for the client
 * @param config user-tunable defaults (same value rules as {@link ModelInfo#config()})
 * @param labels label name to index of the model it trains; may be empty
 */
public record TrainerInfo(
        String name, String description, Map<String, Object> config, Map<String, Integer> labels) {
    public TrainerInfo {
        Names.check("Trainer", name);
        Objects.requireNonNull(description, "description");
        config =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(config, "config")));
        labels =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(labels, "labels")));
    }
}
