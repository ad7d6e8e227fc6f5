package org.monailabel.engine.apps;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.monailabel.api.AppComponent;

/**
 * A task borrowed from the {@link AppRegistry} for one call. While a lease is open, the app version
 * it came from stays open even if the jar is replaced or deleted; closing the last lease of a
 * retired version closes its tasks and class loader.
 *
 * <pre>{@code
 * try (Lease<InferenceTask> lease = registry.inference("segmentation")) {
 *     InferenceResult result = lease.call(task -> task.infer(request));
 * }
 * }</pre>
 *
 * <p>{@link #close()} is idempotent. A lease may be used from any thread, but is meant for one
 * call.
 *
 * @param <T> the kind of task
 */
public final class Lease<T extends AppComponent> implements AutoCloseable {
    /** A call into the leased task. */
    @FunctionalInterface
    public interface Call<T, R> {
        R call(T task) throws IOException;
    }

    private final T task;
    private final LoadedApp app;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(T task, LoadedApp app) {
        this.task = Objects.requireNonNull(task, "task");
        this.app = Objects.requireNonNull(app, "app");
    }

    /** The task; do not keep it beyond the lease. */
    public T task() {
        return task;
    }

    /** The name of the app the task belongs to. */
    public String appName() {
        return app.name();
    }

    /** The app's class loader. */
    public ClassLoader classLoader() {
        return app.loader();
    }

    /** Calls the task with the app's class loader as thread context class loader. */
    public <R> R call(Call<? super T, R> call) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("Lease of " + app + " is closed");
        }
        return ContextLoader.with(app.loader(), () -> call.call(task));
    }

    /** Gives the app version back. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            app.release();
        }
    }
}
