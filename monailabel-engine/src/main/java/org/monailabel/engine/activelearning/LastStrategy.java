package org.monailabel.engine.activelearning;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;

/**
 * MONAI Label's {@code last}: the alphabetically last image without a {@code final} label (ids
 * compared as strings, whatever order the datastore lists them in). Stateless and thread-safe. Apps
 * register it by subclassing.
 */
public class LastStrategy implements ActiveLearningStrategy {
    @Override
    public ComponentInfo info() {
        return new ComponentInfo("last", "Get Last Sample");
    }

    @Override
    public Optional<Sample> next(Datastore datastore, Params params) {
        List<String> unlabeled = datastore.unlabeledImageIds(Datastore.FINAL);
        return unlabeled.isEmpty()
                ? Optional.empty()
                : Optional.of(new Sample(Collections.max(unlabeled), 1));
    }
}
