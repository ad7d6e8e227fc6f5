package org.monailabel.engine.segmentation;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.Network;
import org.slf4j.MDC;

/**
 * A bounded executor for one model: a fixed number of worker threads, each owning its own {@link
 * Network} handle (DJL predictors are not thread-safe, and native arrays never cross threads), and
 * a bounded queue; when it is full a request fails at once with {@link BusyException} instead of
 * piling up in memory. When the model source returns another model (a new version), each worker
 * replaces its handle before its next job; jobs already running finish on the old model.
 */
public final class InferenceWorkers implements AutoCloseable {
    /** What a worker runs: a job given the worker's own network handle. */
    @FunctionalInterface
    public interface Job<T> {
        T run(Network network, LoadedModel model) throws Exception;
    }

    /** Jobs running now on the workers of every model in this process (see {@link #running()}). */
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private final String name;
    private final ThreadPoolExecutor executor;
    private final ThreadLocal<Handle> handles = new ThreadLocal<>();
    private final Supplier<LoadedModel> model;

    private record Handle(LoadedModel model, Network network) {}

    /**
     * @param name the model name, for thread names and messages
     * @param threads worker threads
     * @param queueCapacity requests that may wait beyond those running
     * @param model the current model (called by workers before each job)
     */
    public InferenceWorkers(
            String name, int threads, int queueCapacity, Supplier<LoadedModel> model) {
        this.name = Objects.requireNonNull(name, "name");
        this.model = Objects.requireNonNull(model, "model");
        AtomicInteger count = new AtomicInteger();
        this.executor =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(Math.max(1, queueCapacity)),
                        r -> {
                            Thread t =
                                    new Thread(
                                            () -> {
                                                try {
                                                    r.run();
                                                } finally {
                                                    Handle h = handles.get();
                                                    if (h != null) {
                                                        h.network().close();
                                                    }
                                                }
                                            },
                                            "infer-" + name + "-" + count.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Runs a job on a worker and waits for it.
     *
     * @throws BusyException if the queue is full
     */
    public <T> T run(Job<T> job) throws IOException {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Future<T> future;
        try {
            future =
                    executor.submit(
                            () -> {
                                if (mdc != null) {
                                    MDC.setContextMap(mdc);
                                }
                                try {
                                    LoadedModel pinned = pin();
                                    RUNNING.incrementAndGet();
                                    try {
                                        Handle h = handle(pinned);
                                        return job.run(h.network(), h.model());
                                    } finally {
                                        pinned.release();
                                        RUNNING.decrementAndGet();
                                    }
                                } finally {
                                    MDC.clear();
                                }
                            });
        } catch (RejectedExecutionException e) {
            throw new BusyException(
                    "Model '"
                            + name
                            + "' is busy: "
                            + executor.getQueue().size()
                            + " requests are waiting; try again shortly",
                    2);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InferenceFailedException("Inference with '" + name + "' was interrupted", e);
        } catch (CancellationException e) {
            throw new InferenceFailedException("Inference with '" + name + "' was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MonaiLabelException m) {
                throw m;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof OutOfMemoryError) {
                throw new InferenceFailedException(
                        "Model '" + name + "' ran out of memory on this image", cause);
            }
            throw new InferenceFailedException("Model '" + name + "' failed: " + cause, cause);
        }
    }

    /**
     * How many inference jobs are running now, across all models of the process. Background work
     * that shares the CPU (uncertainty scoring) waits while this is non-zero, so that requests do
     * not compete with it for PyTorch's process-wide thread pool.
     */
    public static int running() {
        return RUNNING.get();
    }

    /**
     * The current model, pinned so that a swap during the job cannot close it underneath.
     *
     * @throws ConflictException if the model was unpublished after the job was queued
     */
    private LoadedModel pin() {
        while (true) {
            LoadedModel current = model.get();
            if (current == null) {
                throw new ConflictException(
                        "Model '" + name + "' has no trained weights yet: train it first");
            }
            if (current.retain()) {
                return current;
            }
        }
    }

    private Handle handle(LoadedModel current) {
        Handle h = handles.get();
        if (h == null || h.model() != current) {
            if (h != null) {
                h.network().close();
            }
            h = new Handle(current, current.newNetwork());
            handles.set(h);
        }
        return h;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
