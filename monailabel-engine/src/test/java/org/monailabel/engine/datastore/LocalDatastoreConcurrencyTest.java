package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDatastoreConcurrencyTest {
    static final int THREADS = 16;
    static final int ROUNDS = 25;
    static final int SHARED = 8;

    @TempDir Path studies;

    @TempDir Path uploads;

    @Test
    void concurrentWritersLoseNoUpdate() throws Exception {
        // snapshots race the writers too; Contents files are no images
        try (LocalDatastore datastore =
                LocalDatastore.open(
                        studies,
                        LocalDatastore.Options.defaults()
                                .withSnapshotDelay(Duration.ofMillis(20))
                                .withContentCheck(false))) {
            for (int i = 0; i < SHARED; i++) {
                datastore.addImage(
                        "shared" + i,
                        Contents.write(uploads.resolve("s" + i), i, 100),
                        "x.nii.gz",
                        Map.of());
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    work(datastore, thread);
                                    return null;
                                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
            pool.shutdown();
            verify(datastore);
        }
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            verify(datastore);
        }
    }

    private void work(LocalDatastore datastore, int thread) throws IOException {
        Path file = Contents.write(uploads.resolve("t" + thread), thread, 200);
        for (int round = 0; round < ROUNDS; round++) {
            String shared = "shared" + (round % SHARED);
            String tag = "t" + thread;
            datastore.saveLabel(
                    shared,
                    tag,
                    file,
                    round % 2 == 0 ? "l.nii.gz" : "l.nrrd",
                    Map.of("round", round));
            datastore.addImage(
                    "own_" + thread + "_" + round, file, "x.nrrd", Map.of("thread", thread));
            datastore.updateImageInfo(shared, Map.of("t" + thread + "_" + round, round));
            datastore.recordSampleHandout(shared, "s" + thread, "client" + thread);
            datastore.updateLabelInfo(shared, tag, Map.of("seen_" + round, true));
        }
    }

    private void verify(LocalDatastore datastore) throws IOException {
        assertThat(datastore.imageIds()).hasSize(SHARED + THREADS * ROUNDS);
        for (int i = 0; i < SHARED; i++) {
            String shared = "shared" + i;
            Map<String, Object> info = datastore.imageInfo(shared);
            @SuppressWarnings("unchecked")
            Map<String, Object> strategy = (Map<String, Object>) info.get("strategy");
            assertThat(strategy).hasSize(THREADS);
            assertThat(datastore.labelTags(shared)).hasSize(THREADS);
            for (int t = 0; t < THREADS; t++) {
                for (int round = i; round < ROUNDS; round += SHARED) {
                    assertThat(info).containsEntry("t" + t + "_" + round, (long) round);
                }
                int last = i + ((ROUNDS - 1 - i) / SHARED) * SHARED;
                Map<String, Object> label = datastore.labelInfo(shared, "t" + t).orElseThrow();
                assertThat(label)
                        .containsEntry("round", (long) last)
                        .containsEntry("seen_" + last, true);
                Path file = datastore.labelFile(shared, "t" + t).orElseThrow();
                assertThat(file.getFileName().toString())
                        .isEqualTo(shared + (last % 2 == 0 ? ".nii.gz" : ".nrrd"));
                assertThat(Contents.key(file)).hasValue(t);
            }
        }
        for (int t = 0; t < THREADS; t++) {
            for (int round = 0; round < ROUNDS; round++) {
                assertThat(Contents.key(datastore.imageFile("own_" + t + "_" + round))).hasValue(t);
            }
        }
    }
}
