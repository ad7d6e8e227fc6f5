package org.monailabel.engine.apps;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link AppRegistry} in step with an apps folder. {@link #loadAll()} loads what is there
 * at start-up (sorted by name, so of two clashing apps the later one is refused); {@link #start()}
 * then polls the folder: a new or changed app is (re)loaded once its jars' sizes and modification
 * times were the same in two polls in a row (so a jar still being copied is not loaded half-way),
 * and an app whose jars are gone is unloaded; after such a change, apps refused for a name clash
 * are tried again (the app they clashed with may be gone). Polling rather than a {@code
 * WatchService}: it works the same on every file system, including network mounts, and a 1 s poll
 * costs one directory listing.
 */
public final class AppFolderWatcher implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(AppFolderWatcher.class);

    /** The default poll interval: a dropped-in jar is served within about two intervals. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final Path folder;
    private final AppRegistry registry;
    private final Duration interval;
    private final Map<String, String> applied = new HashMap<>(); // app name -> fingerprint loaded
    private Map<String, String> lastSeen = Map.of(); // app name -> fingerprint of the previous poll
    private ScheduledExecutorService executor;

    /**
     * A watcher that is not started yet.
     *
     * @param folder the apps folder
     * @param registry where apps are loaded and unloaded
     * @param interval the poll interval, positive
     */
    public AppFolderWatcher(Path folder, AppRegistry registry, Duration interval) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("Poll interval must be positive, got " + interval);
        }
    }

    /** Loads every app now in the folder, in name order. */
    public synchronized void loadAll() throws IOException {
        SortedMap<String, AppSource> sources = AppFolderScanner.scan(folder);
        for (AppSource source : sources.values()) {
            registry.load(source);
            applied.put(source.name(), source.fingerprint());
        }
        lastSeen = fingerprints(sources);
    }

    /** Starts polling on a daemon thread. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "monailabel-apps-watcher");
                            t.setDaemon(true);
                            return t;
                        });
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(this::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One poll: applies the changes that are stable since the previous poll. */
    synchronized void poll() throws IOException {
        SortedMap<String, AppSource> sources = AppFolderScanner.scan(folder);
        boolean changed = false;
        for (AppSource source : sources.values()) {
            String fingerprint = source.fingerprint();
            if (fingerprint.equals(applied.get(source.name()))
                    || !fingerprint.equals(lastSeen.get(source.name()))) {
                continue; // unchanged, or still changing
            }
            logger.info(
                    "App {} {} in the apps folder",
                    source.name(),
                    applied.containsKey(source.name()) ? "changed" : "appeared");
            registry.load(source);
            applied.put(source.name(), fingerprint);
            changed = true;
        }
        for (String name : Map.copyOf(applied).keySet()) {
            if (!sources.containsKey(name)) {
                logger.info("App {} disappeared from the apps folder", name);
                registry.unload(name);
                applied.remove(name);
                changed = true;
            }
        }
        if (changed) {
            retryRefused(sources);
        }
        lastSeen = fingerprints(sources);
    }

    /**
     * After a change, an app refused for a name clash may fit: the app it clashed with may be gone.
     */
    private void retryRefused(SortedMap<String, AppSource> sources) {
        for (String name : registry.refusedForClash()) {
            AppSource source = sources.get(name);
            if (source != null && source.fingerprint().equals(applied.get(name))) {
                registry.load(source);
            }
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (IOException | RuntimeException e) {
            // The next poll tries again; an exception escaping would cancel the schedule.
            logger.warn("Could not scan the apps folder: {}", e.toString(), e);
        }
    }

    /** Stops polling; the registry keeps what is loaded. */
    @Override
    public void close() {
        ScheduledExecutorService e;
        synchronized (this) {
            e = executor;
            executor = null;
        }
        if (e != null) {
            e.shutdownNow();
            try {
                e.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Map<String, String> fingerprints(SortedMap<String, AppSource> sources) {
        Map<String, String> out = new HashMap<>();
        sources.forEach((name, source) -> out.put(name, source.fingerprint()));
        return out;
    }
}
