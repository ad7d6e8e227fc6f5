package org.monailabel.engine.apps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.AppComponent;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.error.AppException;
import org.monailabel.api.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks of all loaded apps, served together and looked up by kind and name. Loading, replacing
 * and unloading an app are serialized; lookups are lock-free reads of an immutable snapshot, and
 * hand out {@link Lease}s that keep the app version open while a call is in flight.
 *
 * <p>A new version is discovered and opened before it is published, and the version it replaces is
 * retired only after publication: requests in flight finish on the old instances, which are closed
 * when the last lease is released. An app that fails (unreadable jar, broken provider, name clash,
 * {@code open} that throws) is logged at warn and kept as a FAILED {@link AppStatus}; the others
 * are not affected.
 */
public final class AppRegistry implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(AppRegistry.class);

    private record Entry(LoadedApp app, AppTask task) {}

    private record Snapshot(
            Map<String, LoadedApp> apps,
            Map<String, AppStatus> statuses,
            Map<TaskKind<?>, Map<String, Entry>> index) {
        static final Snapshot EMPTY = of(Map.of(), Map.of());

        static Snapshot of(Map<String, LoadedApp> apps, Map<String, AppStatus> statuses) {
            Map<TaskKind<?>, Map<String, Entry>> index = new LinkedHashMap<>();
            TaskKind.ALL.forEach(kind -> index.put(kind, new LinkedHashMap<>()));
            for (LoadedApp app : new TreeMap<>(apps).values()) {
                for (AppTask task : app.tasks()) {
                    index.get(task.kind()).put(task.name(), new Entry(app, task));
                }
            }
            return new Snapshot(
                    Collections.unmodifiableMap(new TreeMap<>(apps)),
                    Collections.unmodifiableMap(new TreeMap<>(statuses)),
                    index);
        }
    }

    private final AppEnvironment environment;
    private final ModelSelection selection;
    private final AppLoader loader;
    private final Object lock = new Object();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final Set<String> refusedForClash = new HashSet<>(); // guarded by lock
    private boolean closed;

    /**
     * An empty registry. Deletes shadow copies a previous run left in the work folder.
     *
     * @param environment what apps are opened with
     * @param host the loader whose API, engine, DJL and SLF4J classes apps share
     */
    public AppRegistry(AppEnvironment environment, ClassLoader host) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.selection = ModelSelection.of(environment.config());
        this.loader =
                new AppLoader(new FilteringClassLoader(host), environment.shadowRoot(), selection);
        ShadowCopy.deleteLeftovers(environment.shadowRoot());
    }

    /**
     * Loads an app, or a new version of an app with the same name, and publishes its tasks.
     *
     * @return its status: LOADED, or FAILED with the reason (a replaced version is then unloaded)
     */
    public AppStatus load(AppSource source) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("Registry is closed");
            }
            AppLoader.Discovery discovery;
            try {
                discovery = loader.load(source);
            } catch (AppException e) {
                return fail(source, e.getMessage(), List.of());
            }
            LoadedApp app = discovery.app();
            Optional<String> problem =
                    discovery.errors().isEmpty()
                            ? findClash(app)
                            : Optional.of(String.join("; ", discovery.errors()));
            refusedForClash.remove(source.name());
            if (problem.isPresent() && discovery.errors().isEmpty()) {
                refusedForClash.add(source.name());
            }
            if (problem.isEmpty()) {
                try {
                    app.open(environment.contextFor(source));
                } catch (AppException e) {
                    problem = Optional.of(e.getMessage());
                }
            }
            if (problem.isPresent()) {
                app.discard();
                return fail(source, problem.get(), app.taskNames());
            }
            AppStatus status = AppStatus.loaded(source, app.taskNames());
            publish(source.name(), Optional.of(app), status);
            logger.info(
                    "App {} loaded from {}: {}",
                    source.name(),
                    source.sourceName(),
                    app.taskNames());
            return status;
        }
    }

    /**
     * Unloads an app (its tasks close once the leases in flight are released); false if unknown.
     */
    public boolean unload(String appName) {
        synchronized (lock) {
            if (!snapshot.statuses().containsKey(appName)) {
                return false;
            }
            Map<String, LoadedApp> apps = new TreeMap<>(snapshot.apps());
            Map<String, AppStatus> statuses = new TreeMap<>(snapshot.statuses());
            LoadedApp old = apps.remove(appName);
            statuses.remove(appName);
            refusedForClash.remove(appName);
            snapshot = Snapshot.of(apps, statuses);
            if (old != null) {
                old.retire();
            }
            logger.info("App {} removed", appName);
            return true;
        }
    }

    /** Borrows the task of this kind and name; {@link NotFoundException} if no app serves it. */
    public <T extends AppComponent> Lease<T> lease(TaskKind<T> kind, String name) {
        while (true) {
            Entry entry = snapshot.index().get(kind).get(name);
            if (entry == null) {
                throw new NotFoundException(kind.label() + " '" + name + "' not found");
            }
            if (entry.app().retain()) {
                return new Lease<>(kind.type().cast(entry.task().component()), entry.app());
            }
            // That version was retired and closed after we read the snapshot; its successor (or
            // its removal) was published before, so the next read sees it.
            Thread.onSpinWait();
        }
    }

    /** {@code lease(TaskKind.MODEL, name)}. */
    public Lease<InferenceTask> inference(String name) {
        return lease(TaskKind.MODEL, name);
    }

    /** {@code lease(TaskKind.TRAINER, name)}. */
    public Lease<TrainTask> trainer(String name) {
        return lease(TaskKind.TRAINER, name);
    }

    /** {@code lease(TaskKind.STRATEGY, name)}. */
    public Lease<ActiveLearningStrategy> strategy(String name) {
        return lease(TaskKind.STRATEGY, name);
    }

    /** {@code lease(TaskKind.SCORING, name)}. */
    public Lease<ScoringMethod> scoring(String name) {
        return lease(TaskKind.SCORING, name);
    }

    /** The names served of a kind, in {@code /info/} order. */
    public List<String> names(TaskKind<?> kind) {
        return List.copyOf(snapshot.index().get(kind).keySet());
    }

    /** The status of every app, sorted by name. */
    public List<AppStatus> statuses() {
        return List.copyOf(snapshot.statuses().values());
    }

    /** The status of one app. */
    public Optional<AppStatus> status(String appName) {
        return Optional.ofNullable(snapshot.statuses().get(appName));
    }

    /** What is served, as {@code /info/} lists it. */
    public AppsInfo info() {
        Snapshot s = snapshot;
        return new AppsInfo(
                infos(s, TaskKind.MODEL, ModelInfo.class),
                infos(s, TaskKind.TRAINER, TrainerInfo.class),
                infos(s, TaskKind.STRATEGY, ComponentInfo.class),
                infos(s, TaskKind.SCORING, ComponentInfo.class),
                List.copyOf(s.statuses().values()));
    }

    /** Apps refused because a task name clashed: worth another try once the other app is gone. */
    Set<String> refusedForClash() {
        synchronized (lock) {
            return Set.copyOf(refusedForClash);
        }
    }

    /**
     * Logs a warning for each name in {@code --conf models} that no loaded model or trainer has.
     */
    public void warnUnmatchedSelection() {
        Set<String> served = new HashSet<>(names(TaskKind.MODEL));
        served.addAll(names(TaskKind.TRAINER));
        for (String name : selection.names()) {
            if (!served.contains(name)) {
                logger.warn(
                        "--conf models names '{}', but no loaded app has a model or trainer of that"
                                + " name",
                        name);
            }
        }
    }

    /** Unloads every app; tasks in flight finish first. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            Snapshot old = snapshot;
            snapshot = Snapshot.EMPTY;
            old.apps().values().forEach(LoadedApp::retire);
        }
    }

    private Optional<String> findClash(LoadedApp app) {
        List<String> clashes = new ArrayList<>();
        for (AppTask task : app.tasks()) {
            Entry other = snapshot.index().get(task.kind()).get(task.name());
            if (other != null && !other.app().name().equals(app.name())) {
                clashes.add(
                        task.kind().label()
                                + " '"
                                + task.name()
                                + "' of "
                                + app.source().sourceName()
                                + " clashes with the one of "
                                + other.app().source().sourceName());
            }
        }
        return clashes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", clashes));
    }

    private AppStatus fail(AppSource source, String error, List<String> tasks) {
        logger.warn("App {} ({}) failed: {}", source.name(), source.sourceName(), error);
        AppStatus status = AppStatus.failed(source, error, tasks);
        publish(source.name(), Optional.empty(), status);
        return status;
    }

    /** Replaces what is published under this app name, then retires the version replaced. */
    private void publish(String name, Optional<LoadedApp> app, AppStatus status) {
        Map<String, LoadedApp> apps = new TreeMap<>(snapshot.apps());
        Map<String, AppStatus> statuses = new TreeMap<>(snapshot.statuses());
        LoadedApp old = app.isPresent() ? apps.put(name, app.get()) : apps.remove(name);
        statuses.put(name, status);
        snapshot = Snapshot.of(apps, statuses);
        if (old != null) {
            old.retire();
        }
    }

    private static <I> Map<String, I> infos(Snapshot s, TaskKind<?> kind, Class<I> type) {
        Map<String, I> out = new LinkedHashMap<>();
        s.index()
                .get(kind)
                .forEach((name, entry) -> out.put(name, type.cast(liveInfo(kind, entry))));
        return out;
    }

    /**
     * A model's info as it is now (its labels follow the version it serves), asked with the app's
     * class loader; what it said at discovery when asking fails. Strategies, trainers and scoring
     * methods do not change what they say, so theirs is the one given at discovery.
     */
    private static Object liveInfo(TaskKind<?> kind, Entry entry) {
        if (kind != TaskKind.MODEL) {
            return entry.task().info();
        }
        try {
            return ContextLoader.with(
                    entry.app().loader(), () -> kind.infoOf(entry.task().component()));
        } catch (RuntimeException | LinkageError e) {
            logger.debug(
                    "Model '{}' failed to describe itself: {}", entry.task().name(), e.toString());
            return entry.task().info();
        }
    }
}
