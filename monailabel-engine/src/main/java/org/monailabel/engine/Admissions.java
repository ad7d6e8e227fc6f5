package org.monailabel.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.monailabel.api.error.BusyException;

/**
 * A bounded queue per model in front of its task ({@link InferenceLimits}): at most {@code threads}
 * requests of a model run at once and at most {@code queue} more wait; the next is refused at once.
 * Background work (batch inference) waits for a running slot without taking a queue place.
 * Thread-safe.
 */
final class Admissions {
    private record Slots(Semaphore admitted, Semaphore running) {}

    private final InferenceLimits limits;
    private final Map<String, Slots> slots = new ConcurrentHashMap<>();

    Admissions(InferenceLimits limits) {
        this.limits = limits;
    }

    /** A place taken in a model's queue, given back when closed. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Enters the model's queue and waits for a running slot.
     *
     * @throws BusyException if the queue is full
     */
    Permit enter(String model) throws InterruptedException {
        Slots s = slots(model);
        if (!s.admitted().tryAcquire()) {
            throw new BusyException(
                    "Model '"
                            + model
                            + "' is busy ("
                            + limits.threads()
                            + " running, "
                            + limits.queue()
                            + " waiting): retry later",
                    1);
        }
        try {
            s.running().acquire();
        } catch (InterruptedException e) {
            s.admitted().release();
            throw e;
        }
        return () -> {
            s.running().release();
            s.admitted().release();
        };
    }

    /** Waits for a running slot without a queue limit (background jobs). */
    Permit enterWaiting(String model) throws InterruptedException {
        Slots s = slots(model);
        s.running().acquire();
        return () -> s.running().release();
    }

    /**
     * Per model that has been asked for: requests running and waiting now, as {@code {"running",
     * "waiting"}}.
     */
    Map<String, Map<String, Integer>> load() {
        Map<String, Map<String, Integer>> out = new java.util.TreeMap<>();
        int capacity = limits.threads() + limits.queue();
        slots.forEach(
                (model, s) -> {
                    int inFlight = capacity - s.admitted().availablePermits();
                    int running = limits.threads() - s.running().availablePermits();
                    out.put(
                            model,
                            Map.of(
                                    "running",
                                    Math.max(0, running),
                                    "waiting",
                                    Math.max(0, inFlight - running)));
                });
        return out;
    }

    private Slots slots(String model) {
        return slots.computeIfAbsent(
                model,
                m ->
                        new Slots(
                                new Semaphore(limits.threads() + limits.queue()),
                                new Semaphore(limits.threads(), true)));
    }
}
