package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.AppConfig;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.api.error.AppException;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.engine.apps.AppEnvironment;
import org.monailabel.engine.apps.AppFolderWatcher;
import org.monailabel.engine.apps.AppRegistry;
import org.monailabel.engine.apps.AppSource;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.apps.TaskKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * monailabel in-process: loads apps (from an apps folder, the class path, or both) and calls their
 * tasks without HTTP. The HTTP server is built on it; another Java program can use it directly:
 *
 * <pre>{@code
 * try (MonaiLabel monaiLabel = MonaiLabel.builder()
 *         .datastore(datastore)                 // the caller keeps ownership and closes it
 *         .appsFolder(Path.of("apps"))          // each *.jar or sub-folder of jars is one app
 *         .conf("models", "segmentation")
 *         .workDir(Path.of(".monailabel"))
 *         .build()) {
 *     InferenceResult result = monaiLabel.infer("segmentation", request);
 *     Map<String, Object> next = monaiLabel.nextSample("random", Params.of(Map.of("client_id", "me")));
 * }
 * }</pre>
 *
 * <p>Thread-safe: tasks may be called concurrently. {@link #close()} stops watching the apps folder
 * and unloads all apps once the calls in flight have finished; it does not close the datastore.
 */
public final class MonaiLabel implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(MonaiLabel.class);

    /**
     * The {@code client_id} recorded for a hand-out when the params have none: MONAI Label records
     * the user name, which is {@code admin} while authentication is off.
     */
    public static final String DEFAULT_CLIENT_ID = "admin";

    private final Datastore datastore;
    private final AppRegistry registry;
    private final Optional<AppFolderWatcher> watcher;

    private MonaiLabel(Datastore datastore, AppRegistry registry, Optional<AppFolderWatcher> watcher) {
        this.datastore = datastore;
        this.registry = registry;
        this.watcher = watcher;
    }

    /** A builder; {@link Builder#datastore} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The registry of loaded tasks, for callers that need leases (e.g. the HTTP layer). */
    public AppRegistry registry() {
        return registry;
    }

    /** The datastore given to the builder. */
    public Datastore datastore() {
        return datastore;
    }

    /** The status of every app, loaded or failed. */
    public List<AppStatus> apps() {
        return registry.statuses();
    }

    /** Models, trainers, strategies, scoring methods and app statuses, as {@code /info/} shows them. */
    public AppsInfo info() {
        return registry.info();
    }

    /**
     * Runs a model in the calling thread. Unknown model: {@link
     * org.monailabel.api.error.NotFoundException}; an unexpected runtime failure of the task (not a
     * {@link MonaiLabelException}) is wrapped in an {@link InferenceFailedException}.
     */
    public InferenceResult infer(String model, InferenceRequest request) throws IOException {
        Objects.requireNonNull(request, "request");
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            return lease.call(task -> task.infer(request));
        } catch (MonaiLabelException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) { // a bug in app code: a 500 for this request only
            throw new InferenceFailedException("Model '" + model + "' failed: " + e, e);
        }
    }

    /**
     * Asks a strategy for the next image to label, records the hand-out in the datastore ({@code
     * client_id} from the params) and returns the sample merged with the image info, as MONAI Label's
     * {@code /activelearning/{strategy}} does ({@code id}, {@code weight}, {@code name}, {@code ts},
     * ...; the HTTP layer adds {@code path}). Empty when nothing is left to label. An unexpected
     * runtime failure of the strategy is wrapped in an {@link AppException}.
     */
    public Map<String, Object> nextSample(String strategy, Params params) throws IOException {
        Objects.requireNonNull(params, "params");
        Optional<Sample> sample;
        try (Lease<ActiveLearningStrategy> lease = registry.strategy(strategy)) {
            sample = lease.call(task -> task.next(datastore, params));
        } catch (MonaiLabelException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new AppException("Strategy '" + strategy + "' failed: " + e, e);
        }
        if (sample.isEmpty()) {
            return Map.of();
        }
        String id = sample.get().imageId();
        datastore.recordSampleHandout(id, strategy, params.getString("client_id", DEFAULT_CLIENT_ID));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", id);
        result.put("weight", sample.get().weight());
        datastore.imageInfo(id).forEach(result::putIfAbsent);
        return result;
    }

    /** Stops watching and unloads the apps (after the calls in flight). The datastore stays open. */
    @Override
    public void close() {
        watcher.ifPresent(AppFolderWatcher::close);
        registry.close();
    }

    /** Builds a {@link MonaiLabel}. Not thread-safe. */
    public static final class Builder {
        private Datastore datastore;
        private Path appsFolder;
        private ClassLoader classpathApps;
        private final Map<String, String> conf = new LinkedHashMap<>();
        private String device = "cpu";
        private Path workDir;
        private Path modelsDir;
        private Duration pollInterval = AppFolderWatcher.DEFAULT_INTERVAL;
        private boolean watch = true;

        private Builder() {}

        /** The datastore tasks work on (required); the caller closes it. */
        public Builder datastore(Datastore datastore) {
            this.datastore = Objects.requireNonNull(datastore, "datastore");
            return this;
        }

        /** A folder whose {@code *.jar} files and sub-folders of jars are apps. */
        public Builder appsFolder(Path appsFolder) {
            this.appsFolder = Objects.requireNonNull(appsFolder, "appsFolder");
            return this;
        }

        /** Whether to discover tasks on this library's own class path as an app named {@code classpath}. */
        public Builder classpathApps(boolean enabled) {
            this.classpathApps = enabled ? MonaiLabel.class.getClassLoader() : null;
            return this;
        }

        /** Discovers tasks in {@code loader} as an app named {@code classpath}. */
        public Builder classpathApps(ClassLoader loader) {
            this.classpathApps = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** An app setting, as {@code --conf key value}; {@code models} selects models and trainers. */
        public Builder conf(String key, String value) {
            conf.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** All app settings at once (added to those set before). */
        public Builder conf(Map<String, String> settings) {
            settings.forEach(this::conf);
            return this;
        }

        /** The compute device: {@code cpu} (default), {@code cuda} or {@code cuda:N}. */
        public Builder device(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** The private folder for shadow copies (default: a new temporary folder). */
        public Builder workDir(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir, "workDir");
            return this;
        }

        /** The parent of each app's model folder (default: {@code <workDir>/models}). */
        public Builder modelsDir(Path modelsDir) {
            this.modelsDir = Objects.requireNonNull(modelsDir, "modelsDir");
            return this;
        }

        /** How often the apps folder is polled for dropped-in jars (default 1 s). */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Whether to watch the apps folder after start-up (default true). */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** Loads the apps and, if asked, starts watching the apps folder. */
        public MonaiLabel build() throws IOException {
            if (datastore == null) {
                throw new IllegalStateException("datastore is required");
            }
            Path work = workDir != null ? workDir : Files.createTempDirectory("monailabel-");
            Files.createDirectories(work);
            Path models = modelsDir != null ? modelsDir : work.resolve("models");
            AppEnvironment environment = new AppEnvironment(AppConfig.of(conf), datastore, device, work, models);
            AppRegistry registry = new AppRegistry(environment, MonaiLabel.class.getClassLoader());
            Optional<AppFolderWatcher> watcher = Optional.empty();
            try {
                if (classpathApps != null) {
                    registry.load(AppSource.classpath(classpathApps, work));
                }
                if (appsFolder != null) {
                    AppFolderWatcher w = new AppFolderWatcher(appsFolder, registry, pollInterval);
                    w.loadAll();
                    watcher = Optional.of(w);
                    if (watch) {
                        w.start();
                    }
                }
            } catch (IOException | RuntimeException e) {
                watcher.ifPresent(AppFolderWatcher::close);
                registry.close();
                throw e;
            }
            registry.warnUnmatchedSelection();
            logger.info("monailabel serving models {}, strategies {} on {}", registry.names(TaskKind.MODEL),
                    registry.names(TaskKind.STRATEGY), device);
            return new MonaiLabel(datastore, registry, watcher);
        }
    }
}
