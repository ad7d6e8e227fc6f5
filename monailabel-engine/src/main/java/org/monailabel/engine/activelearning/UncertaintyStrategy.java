package org.monailabel.engine.activelearning;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MONAI Label's score-ranked strategies ({@code epistemic}, {@code tta}): among the images without
 * a {@code final} label, the one with the highest score under an image-info key (written by a
 * scoring method) that this strategy did not hand out within the last {@code reset} seconds (one
 * day by default); when every scored candidate was handed out that recently, the one handed out
 * longest ago. As upstream, recency comes first, so two annotators asking in turn get different
 * images. When no candidate has a score yet (scoring has not run), a uniformly random candidate
 * among those not handed out recently, logged as such, with weight 0. Thread-safe.
 */
public class UncertaintyStrategy implements ActiveLearningStrategy {
    private static final Logger logger = LoggerFactory.getLogger(UncertaintyStrategy.class);

    /** Upstream's default: hand-outs older than a day no longer count. */
    public static final long ONE_DAY = 24 * 60 * 60;

    private final ComponentInfo info;
    private final String key;
    private final long reset;
    private final Clock clock;

    /**
     * @param key the image-info key of the score, higher meaning more worth labelling
     * @param reset seconds after which a hand-out no longer counts
     */
    public UncertaintyStrategy(
            String name, String description, String key, long reset, Clock clock) {
        this.info = new ComponentInfo(name, description);
        this.key = Objects.requireNonNull(key, "key");
        this.reset = Math.max(0, reset);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public ComponentInfo info() {
        return info;
    }

    /** The image-info key ranked by. */
    public String key() {
        return key;
    }

    @Override
    public Optional<Sample> next(Datastore datastore, Params params) {
        List<String> candidates = datastore.unlabeledImageIds(Datastore.FINAL);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        Map<String, Long> handedOut = datastore.lastHandouts(name());
        String best = null;
        long bestAge = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        List<String> unscored = new ArrayList<>();
        long unscoredAge = -1;
        for (String id : candidates) {
            Long last = handedOut.get(id);
            long age =
                    last == null
                            ? reset
                            : Math.max(0, Math.min(reset, now - last)); // capped: a day ago = never
            if (!(datastore.imageInfo(id).get(key) instanceof Number n)
                    || Double.isNaN(n.doubleValue())) {
                if (age > unscoredAge) {
                    unscored.clear();
                    unscoredAge = age;
                }
                if (age == unscoredAge) {
                    unscored.add(id);
                }
                continue;
            }
            double score = n.doubleValue();
            if (age > bestAge || (age == bestAge && score > bestScore)) {
                best = id;
                bestAge = age;
                bestScore = score;
            }
        }
        if (best == null) {
            String pick = unscored.get(ThreadLocalRandom.current().nextInt(unscored.size()));
            logger.info(
                    "{}: no image has a '{}' score yet (run the scoring); chose '{}' at random",
                    name(),
                    key,
                    pick);
            return Optional.of(new Sample(pick, 0));
        }
        logger.debug("{}: chose '{}' with {} {}", name(), best, key, bestScore);
        return Optional.of(new Sample(best, bestScore));
    }
}
