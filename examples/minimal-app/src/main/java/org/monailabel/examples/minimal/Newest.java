package org.monailabel.examples.minimal;

import java.util.Optional;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;

/**
 * Strategy {@code newest}: the most recently added image that has no {@code final} label yet, by
 * the {@code ts} (epoch seconds) the datastore stores in each image's info. Several images added
 * within the same second tie; the tie goes to the alphabetically last id, which for sequentially
 * numbered uploads is the last one added.
 *
 * <p>A strategy only chooses: the server records the hand-out in the datastore afterwards. It is
 * called from many threads at once, so it keeps no state.
 */
public final class Newest implements ActiveLearningStrategy {
    @Override
    public ComponentInfo info() {
        return new ComponentInfo("newest", "Get the most recently added unlabeled sample");
    }

    @Override
    public Optional<Sample> next(Datastore datastore, Params params) {
        String newest = null;
        long newestTs = Long.MIN_VALUE;
        for (String id : datastore.unlabeledImageIds(Datastore.FINAL)) { // sorted by id
            long ts = addedAt(datastore, id);
            if (newest == null || ts >= newestTs) { // ">=": on a tie the later id wins
                newest = id;
                newestTs = ts;
            }
        }
        return Optional.ofNullable(newest).map(id -> new Sample(id, 1));
    }

    /** The image's {@code ts}; an image without one (edited by hand) counts as the oldest. */
    private static long addedAt(Datastore datastore, String imageId) {
        return datastore.imageInfo(imageId).get("ts") instanceof Number ts
                ? ts.longValue()
                : Long.MIN_VALUE;
    }
}
