package org.monailabel.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.engine.datastore.Preparable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Next samples chosen one hand-out ahead, so that their images are ready when asked for: with a
 * datastore whose images need preparing (DICOM series converted, PACS series fetched), after a
 * strategy hands out a sample it is asked again in the background, as if the next client had asked
 * already, and that image is prepared. The next request with the same strategy and parameters gets
 * that choice if it still holds: the image is still there, still unlabeled, not handed out since
 * and no scoring ran meanwhile (the choice may rest on scores); otherwise the strategy is asked
 * afresh. One background thread; what it cannot take at once is dropped.
 */
final class SamplesAhead implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(SamplesAhead.class);

    /** A choice made ahead, with what it rests on. */
    private record Choice(Sample sample, long madeAt, Optional<String> lastScoring) {}

    /** Asks the strategy (with the hand-out just made recorded). */
    interface Chooser {
        Optional<Sample> next(String strategy, Params params) throws Exception;
    }

    private final Datastore datastore;
    private final Preparable preparable;
    private final Supplier<Optional<String>> scoringState;
    private final Map<String, Choice> choices = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor executor;

    /**
     * @param scoringState the id of the last scoring job, or empty; a scoring job running is a
     *     state of its own (an id no choice has)
     */
    SamplesAhead(
            Datastore datastore, Preparable preparable, Supplier<Optional<String>> scoringState) {
        this.datastore = datastore;
        this.preparable = preparable;
        this.scoringState = scoringState;
        this.executor =
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(2),
                        r -> {
                            Thread t = new Thread(r, "samples-ahead");
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.DiscardPolicy());
    }

    /** The datastore's {@link Preparable} view, when its images may need preparing. */
    static Optional<Preparable> preparable(Datastore datastore) {
        return datastore instanceof Preparable p ? Optional.of(p) : Optional.empty();
    }

    private static String key(String strategy, Params params) {
        Map<String, Object> rest = new TreeMap<>(params.asMap());
        rest.remove("client_id");
        return strategy + "\n" + rest;
    }

    /** The choice made ahead for these parameters, if it still holds (taken: asked once). */
    Optional<Sample> take(String strategy, Params params) {
        Choice choice = choices.remove(key(strategy, params));
        if (choice == null) {
            return Optional.empty();
        }
        String id = choice.sample().imageId();
        try {
            Long handedOut = datastore.lastHandouts(strategy).get(id);
            boolean holds =
                    datastore.hasImage(id)
                            && !datastore.labelTags(id).contains(Datastore.FINAL)
                            // hand-out times are whole seconds: one in the second of the choice
                            // counts as after it
                            && (handedOut == null || (handedOut + 1) * 1000 <= choice.madeAt())
                            && choice.lastScoring().equals(scoringState.get());
            return holds ? Optional.of(choice.sample()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // gone meanwhile
        }
    }

    /** Whether a choice is waiting for these parameters (whether or not it still holds). */
    boolean hasChoice(String strategy, Params params) {
        return choices.containsKey(key(strategy, params));
    }

    /** An image was handed out: no choice made ahead holds it any more. */
    void handedOut(String imageId) {
        choices.values().removeIf(c -> c.sample().imageId().equals(imageId));
    }

    /** After a hand-out: chooses the next sample in the background and prepares its image. */
    void chooseNext(String strategy, Params params, Chooser chooser) {
        Objects.requireNonNull(chooser, "chooser");
        String key = key(strategy, params);
        executor.execute(
                () -> {
                    try {
                        Optional<String> scoring = scoringState.get();
                        long madeAt = System.currentTimeMillis();
                        Optional<Sample> next = chooser.next(strategy, params);
                        if (next.isEmpty()) {
                            return;
                        }
                        choices.put(key, new Choice(next.get(), madeAt, scoring));
                        preparable.prepare(next.get().imageId());
                    } catch (Exception | LinkageError e) {
                        logger.debug(
                                "Choosing the next sample of '{}' ahead failed: {}",
                                strategy,
                                e.toString());
                    }
                });
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
