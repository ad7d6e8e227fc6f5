package org.monailabel.engine.apps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.TrainerInfo;

/**
 * What the loaded apps offer, as {@code /info/} lists it: maps keep app order (sorted by app name),
 * then each app's discovery order. A snapshot; immutable.
 *
 * @param models inference tasks by name
 * @param trainers trainers by name
 * @param strategies active-learning strategies by name
 * @param scoring scoring methods by name
 * @param apps the status of every app, loaded or failed, sorted by name
 */
public record AppsInfo(
        Map<String, ModelInfo> models,
        Map<String, TrainerInfo> trainers,
        Map<String, ComponentInfo> strategies,
        Map<String, ComponentInfo> scoring,
        List<AppStatus> apps) {
    public AppsInfo {
        models = copy(models);
        trainers = copy(trainers);
        strategies = copy(strategies);
        scoring = copy(scoring);
        apps = List.copyOf(apps);
    }

    private static <V> Map<String, V> copy(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
