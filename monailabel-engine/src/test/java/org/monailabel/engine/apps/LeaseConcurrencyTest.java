package org.monailabel.engine.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceTask;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.TestDatastores;
import org.monailabel.testing.TestRequests;

class LeaseConcurrencyTest {
    /** A model that fails if it is called before open or after close. */
    private static final String GUARDED =
            PluginSources.header("g.Guarded")
                    + """
                    public final class Guarded implements InferenceTask {
                        private volatile boolean open;
                        private volatile boolean closed;

                        public ModelInfo info() {
                            return ModelInfo.of("guarded", ModelType.OTHERS, Map.of(), "Checks its lifecycle");
                        }

                        public void open(AppContext context) {
                            open = true;
                        }

                        public InferenceResult infer(InferenceRequest request) {
                            if (!open || closed) {
                                throw new IllegalStateException("called while not open");
                            }
                            return new InferenceResult(Optional.empty(), Map.of());
                        }

                        public void close() {
                            closed = true;
                        }
                    }
                    """;

    @TempDir Path tmp;

    @Test
    void leasesNeverSeeAClosedTaskWhileVersionsAreSwapped() throws Exception {
        Path apps = Files.createDirectories(tmp.resolve("apps"));
        PluginJars.builder()
                .source("g.Guarded", GUARDED)
                .service(InferenceTask.class, "g.Guarded")
                .write(apps.resolve("guarded.jar"));
        AppEnvironment env =
                new AppEnvironment(
                        AppConfig.empty(),
                        TestDatastores.create(tmp.resolve("studies")),
                        "cpu",
                        tmp.resolve("work"),
                        tmp.resolve("models"));
        InferenceRequest request = TestRequests.inference("guarded", tmp.resolve("req"), Map.of());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try (AppRegistry registry = new AppRegistry(env, getClass().getClassLoader())) {
            AppSource source = AppFolderScanner.scan(apps).get("guarded");
            registry.load(source);
            for (int i = 0; i < 3; i++) {
                callers.execute(
                        () -> {
                            while (!stop.get()) {
                                try (Lease<InferenceTask> lease = registry.inference("guarded")) {
                                    lease.call(task -> task.infer(request));
                                    calls.incrementAndGet();
                                } catch (IOException | RuntimeException e) {
                                    failures.add(e);
                                }
                            }
                        });
            }

            for (int version = 0; version < 20; version++) {
                assertThat(registry.load(source).state()).isEqualTo(AppState.LOADED);
            }
            stop.set(true);
            callers.shutdown();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            callers.shutdownNow();
        }

        assertThat(failures).isEmpty();
        assertThat(calls.get()).isPositive();
        try (var shadows = Files.list(tmp.resolve("work").resolve("app-shadow"))) {
            assertThat(shadows.toList())
                    .isEmpty(); // every version closed once its last lease was released
        }
    }
}
