package org.monailabel.engine.activelearning;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;

/**
 * MONAI Label's {@code random}: a weighted random image without a {@code final} label, weighted by
 * the seconds since this strategy last handed it out (never handed out: weighted by the current
 * epoch seconds), so images not shown recently are preferred and two annotators rarely get the same
 * image. Unlike upstream, when every candidate was handed out within the current second (all
 * weights 0) it falls back to a uniform choice instead of failing. Thread-safe.
 */
public class RandomStrategy implements ActiveLearningStrategy {
    private final Clock clock;
    private final Supplier<RandomGenerator> random;

    /** Uses the system clock and a thread-local random generator. */
    public RandomStrategy() {
        this(Clock.systemUTC(), ThreadLocalRandom::current);
    }

    /** For reproducible choices: a given clock and source of randomness. */
    public RandomStrategy(Clock clock, Supplier<RandomGenerator> random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public ComponentInfo info() {
        return new ComponentInfo("random", "Random Strategy");
    }

    @Override
    public Optional<Sample> next(Datastore datastore, Params params) {
        List<String> candidates = datastore.unlabeledImageIds(Datastore.FINAL);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        Map<String, Long> handedOut = datastore.lastHandouts(name());
        double[] cumulative = new double[candidates.size()];
        double total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            Long last = handedOut.get(candidates.get(i));
            total += last == null ? now : Math.max(0, now - last);
            cumulative[i] = total;
        }
        RandomGenerator rng = random.get();
        if (total <= 0) {
            return Optional.of(new Sample(candidates.get(rng.nextInt(candidates.size())), 0));
        }
        double pick = rng.nextDouble() * total;
        int index = 0;
        while (index < cumulative.length - 1 && cumulative[index] <= pick) {
            index++; // the first candidate whose cumulative weight lies above the pick
        }
        double weight = cumulative[index] - (index == 0 ? 0 : cumulative[index - 1]);
        return Optional.of(new Sample(candidates.get(index), weight));
    }
}
