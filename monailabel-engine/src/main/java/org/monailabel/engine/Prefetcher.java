package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.apps.AppRegistry;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.apps.TaskKind;
import org.monailabel.engine.interactive.InteractiveTask;
import org.monailabel.engine.interactive.PreparedImages;
import org.monailabel.engine.io.ImageIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares an image for the interactive models as soon as a client is handed it (an active learning
 * sample) or downloads it, so that the first click on it costs about what a later one does: one
 * background thread, a few images waiting at most (more are dropped: the click then prepares its
 * image itself), one read of the file shared by every interactive model, the crop models first and
 * the whole-image ones (DeepEdit) last. {@code --conf interactive_prefetch false} turns it off.
 */
final class Prefetcher implements AutoCloseable {
    static final String SETTING = "interactive_prefetch";

    /** Images waiting at most; more are dropped. */
    private static final int WAITING = 4;

    private static final Logger logger = LoggerFactory.getLogger(Prefetcher.class);

    private final AppRegistry registry;
    private final Datastore datastore;
    private final ThreadPoolExecutor executor;

    Prefetcher(AppRegistry registry, Datastore datastore) {
        this.registry = registry;
        this.datastore = datastore;
        this.executor =
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(WAITING),
                        r -> {
                            Thread t = new Thread(r, "interactive-prefetch");
                            t.setDaemon(true);
                            t.setPriority(Thread.MIN_PRIORITY);
                            return t;
                        });
    }

    /**
     * Queues the image; returns at once.
     *
     * @return completes with the number of interactive models that have the image prepared (0 if it
     *     was dropped or could not be read)
     */
    CompletableFuture<Integer> prefetch(String imageId) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            executor.execute(() -> done.complete(warm(imageId)));
        } catch (RejectedExecutionException e) {
            logger.debug("Not prefetching '{}': {} images already waiting", imageId, WAITING);
            done.complete(0);
        }
        return done;
    }

    private int warm(String imageId) {
        long start = System.nanoTime();
        List<Lease<InferenceTask>> leases = new ArrayList<>();
        try {
            for (String name : registry.names(TaskKind.MODEL)) {
                try {
                    Lease<InferenceTask> lease = registry.inference(name);
                    if (lease.task() instanceof InteractiveTask) {
                        leases.add(lease);
                    } else {
                        lease.close();
                    }
                } catch (MonaiLabelException e) {
                    // unloaded meanwhile
                }
            }
            if (leases.isEmpty()) {
                return 0;
            }
            leases.sort(
                    (a, b) ->
                            Boolean.compare(
                                    ((InteractiveTask) a.task()).needsWholeImage(),
                                    ((InteractiveTask) b.task()).needsWholeImage()));
            Path file = datastore.imageFile(imageId);
            Volume[] read = new Volume[1];
            PreparedImages.Reader once =
                    f -> {
                        if (read[0] == null) {
                            read[0] = ImageIo.read(f);
                        }
                        return read[0];
                    };
            for (Lease<InferenceTask> lease : leases) {
                ((InteractiveTask) lease.task()).prefetch(imageId, file, once);
            }
            logger.debug(
                    "Prefetched '{}' for {} interactive models in {} ms",
                    imageId,
                    leases.size(),
                    (System.nanoTime() - start) / 1_000_000);
            return leases.size();
        } catch (IOException | RuntimeException e) {
            // the first click reads it again and reports what is wrong with it
            logger.debug("Prefetching '{}' failed: {}", imageId, e.toString());
            return 0;
        } finally {
            leases.forEach(Lease::close);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
