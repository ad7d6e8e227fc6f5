package org.monailabel.http.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.monailabel.api.error.BusyException;

/**
 * A bounded queue per model in front of the app's task: at most {@code threads} requests of a
 * model run at once, at most {@code queue} more wait; past that the server answers 503 with {@code
 * Retry-After} at once instead of piling requests up. Thread-safe.
 */
public final class InferenceGate {
    private record Slots(Semaphore admitted, Semaphore running) {}

    private final int threads;
    private final int queue;
    private final Map<String, Slots> slots = new ConcurrentHashMap<>();

    public InferenceGate(int threads, int queue) {
        if (threads < 1 || queue < 0) {
            throw new IllegalArgumentException("threads must be >= 1 and queue >= 0");
        }
        this.threads = threads;
        this.queue = queue;
    }

    /** A permit to run this model, held until closed. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a running slot without a queue limit (background jobs such as batch inference). */
    public Permit enterWaiting(String model) throws InterruptedException {
        Slots s = slots(model);
        s.running().acquire();
        return () -> s.running().release();
    }

    private Slots slots(String model) {
        return slots.computeIfAbsent(model, m -> new Slots(new Semaphore(threads + queue), new Semaphore(threads, true)));
    }

    /**
     * Enters the model's queue and waits for a running slot.
     *
     * @throws BusyException if the queue is full
     */
    public Permit enter(String model) throws InterruptedException {
        Slots s = slots(model);
        if (!s.admitted().tryAcquire()) {
            throw new BusyException("Model '" + model + "' is busy (" + threads + " running, " + queue
                    + " waiting): retry later", 1);
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
}
