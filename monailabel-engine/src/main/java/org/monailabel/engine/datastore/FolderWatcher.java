package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices files copied into (or deleted from) the studies folder while the server runs: a {@link
 * WatchService} on the images folder, the labels folder and every tag folder triggers a debounced
 * reconcile; a periodic rescan catches what the watch service misses (network file systems,
 * overflow). Reconciles run on the datastore's background executor; {@link #close} stops the watch
 * thread, the caller shuts the executor down.
 */
final class FolderWatcher implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path labelsDir;
    private final Runnable reconcile;
    private final Filter filter;
    private final ScheduledExecutorService executor;
    private final Duration debounce;
    private final WatchService watchService;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Thread thread;

    /** Tells whether a changed file may need a reconcile (our own writes do not). */
    @FunctionalInterface
    interface Filter {
        boolean mayChangeIndex(Path dir, String name);
    }

    private FolderWatcher(
            Path imagesDir,
            Path labelsDir,
            Runnable reconcile,
            Filter filter,
            ScheduledExecutorService executor,
            Duration debounce)
            throws IOException {
        this.labelsDir = labelsDir;
        this.reconcile = reconcile;
        this.filter = filter;
        this.executor = executor;
        this.debounce = debounce;
        this.watchService = imagesDir.getFileSystem().newWatchService();
        this.thread = new Thread(this::run, "datastore-watch");
        thread.setDaemon(true);
    }

    /**
     * Starts watching; {@code reconcile} runs on {@code executor} after changes that pass {@code
     * filter} and every {@code rescan}.
     */
    static FolderWatcher start(
            Path imagesDir,
            Path labelsDir,
            Runnable reconcile,
            Filter filter,
            ScheduledExecutorService executor,
            Duration debounce,
            Duration rescan)
            throws IOException {
        FolderWatcher watcher =
                new FolderWatcher(imagesDir, labelsDir, reconcile, filter, executor, debounce);
        try {
            watcher.register(imagesDir);
            watcher.register(labelsDir);
            try (DirectoryStream<Path> tags =
                    Files.newDirectoryStream(labelsDir, Files::isDirectory)) {
                for (Path tag : tags) {
                    watcher.register(tag);
                }
            }
        } catch (IOException e) {
            watcher.close();
            throw e;
        }
        watcher.thread.start();
        long period = rescan.toMillis();
        executor.scheduleWithFixedDelay(reconcile, period, period, TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void register(Path dir) throws IOException {
        dir.register(
                watchService,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                Path dir = (Path) key.watchable();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    relevant |= handle(dir, event);
                }
                key.reset();
                if (relevant) {
                    schedule();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed: stop
        }
    }

    private boolean handle(Path dir, WatchEvent<?> event) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            return true;
        }
        String name = event.context().toString();
        if (name.startsWith(".")) {
            return false; // our temporary files, journal, lock; hidden files are never indexed
        }
        Path child = dir.resolve(name);
        if (dir.equals(labelsDir)
                && event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                && Files.isDirectory(child)) {
            try {
                register(child);
            } catch (IOException e) {
                logger.warn("Cannot watch label folder '{}': {}", name, e.toString());
            }
        }
        if (dir.equals(labelsDir)) {
            return Files.isDirectory(child) || event.kind() == StandardWatchEventKinds.ENTRY_DELETE;
        }
        return filter.mayChangeIndex(dir, name);
    }

    private void schedule() {
        if (pending.compareAndSet(false, true)) {
            try {
                executor.schedule(
                        () -> {
                            pending.set(false);
                            reconcile.run();
                        },
                        debounce.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                pending.set(false); // shutting down
            }
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            logger.debug("Closing the watch service failed", e);
        }
        thread.interrupt();
    }
}
