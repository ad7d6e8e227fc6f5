package org.monailabel.engine.apps;

import java.io.IOException;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.monailabel.api.AppContext;
import org.monailabel.api.error.AppException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One version of an app: its class loader, its shadow copies and its tasks. Reference-counted: the
 * registry holds one reference while the version is published and every {@link Lease} one more;
 * when the last is released, the tasks are closed, then the class loader, then the shadow files are
 * deleted. Thread-safe.
 */
final class LoadedApp {
    private static final Logger logger = LoggerFactory.getLogger(LoadedApp.class);

    private final AppSource source;
    private final ClassLoader loader;
    private final Optional<ShadowCopy> shadow;
    private final List<AppTask> tasks;
    private final List<AppTask> opened = new ArrayList<>();
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    LoadedApp(
            AppSource source,
            ClassLoader loader,
            Optional<ShadowCopy> shadow,
            List<AppTask> tasks) {
        this.source = Objects.requireNonNull(source, "source");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.shadow = Objects.requireNonNull(shadow, "shadow");
        this.tasks = List.copyOf(tasks);
    }

    String name() {
        return source.name();
    }

    AppSource source() {
        return source;
    }

    ClassLoader loader() {
        return loader;
    }

    List<AppTask> tasks() {
        return tasks;
    }

    List<String> taskNames() {
        return tasks.stream().map(AppTask::name).toList();
    }

    /**
     * Opens every task with the app's loader as context loader. If one fails, those opened are
     * closed again and an {@link AppException} names the task.
     */
    void open(AppContext context) {
        for (AppTask task : tasks) {
            try {
                ContextLoader.with(
                        loader,
                        () -> {
                            task.component().open(context);
                            return null;
                        });
                synchronized (opened) {
                    opened.add(task);
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                closeTasks();
                throw new AppException(
                        task.kind().label()
                                + " '"
                                + task.name()
                                + "' of "
                                + source.sourceName()
                                + " failed to open: "
                                + AppLoader.describe(e),
                        e);
            }
        }
    }

    /** Takes a reference for a caller; false when this version is already closed. */
    boolean retain() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a reference; the last one closes the app. */
    void release() {
        if (references.decrementAndGet() == 0) {
            closeNow();
        }
    }

    /** Drops the registry's reference (once): the app closes when its last lease is released. */
    void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    private void closeNow() {
        closeTasks();
        if (loader instanceof URLClassLoader own && shadow.isPresent()) {
            try {
                own.close();
            } catch (IOException e) {
                logger.warn("Could not close the class loader of app {}: {}", name(), e.toString());
            }
        }
        shadow.ifPresent(ShadowCopy::delete);
        logger.info("App {} ({}) unloaded", name(), source.sourceName());
    }

    /**
     * Closes the opened tasks in reverse order; a failing close is logged and does not stop the
     * rest.
     */
    private void closeTasks() {
        List<AppTask> toClose;
        synchronized (opened) {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            AppTask task = toClose.get(i);
            try {
                ContextLoader.with(
                        loader,
                        () -> {
                            task.component().close();
                            return null;
                        });
            } catch (RuntimeException | LinkageError e) {
                logger.warn(
                        "{} '{}' of app {} failed to close: {}",
                        task.kind().label(),
                        task.name(),
                        name(),
                        e.toString(),
                        e);
            }
        }
    }

    /** Frees a version that was never published (failed to open or refused). */
    void discard() {
        retire();
    }

    @Override
    public String toString() {
        return "app " + name() + " (" + source.sourceName() + ")";
    }
}
