package org.monailabel.engine.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.Poll;
import org.monailabel.testing.TestDatastores;
import org.monailabel.testing.TestRequests;

class AppFolderWatcherTest {
    private static final Duration FAST_POLL = Duration.ofMillis(100);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @TempDir Path tmp;
    private Path apps;
    private AppRegistry registry;
    private AppFolderWatcher watcher;

    @BeforeEach
    void setUp() throws IOException {
        Probe.reset();
        apps = Files.createDirectories(tmp.resolve("apps"));
        AppEnvironment env =
                new AppEnvironment(
                        AppConfig.empty(),
                        TestDatastores.create(tmp.resolve("studies")),
                        "cpu",
                        tmp.resolve("work"),
                        tmp.resolve("models"));
        registry = new AppRegistry(env, getClass().getClassLoader());
    }

    @AfterEach
    void tearDown() {
        Probe.release.countDown();
        if (watcher != null) {
            watcher.close();
        }
        registry.close();
    }

    private void watch(Duration interval) throws IOException {
        watcher = new AppFolderWatcher(apps, registry, interval);
        watcher.loadAll();
        watcher.start();
    }

    private boolean serves(String model) {
        return registry.names(TaskKind.MODEL).contains(model);
    }

    private String tagOf(String model) {
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            return (String)
                    lease.call(
                                    t ->
                                            t.infer(
                                                    TestRequests.inference(
                                                            model, tmp.resolve("req"), Map.of())))
                            .json()
                            .get("tag");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path slowJar(Path jar, String tag) throws IOException {
        return PluginJars.builder()
                .source("s.Slow", Probe.blockingModel("s.Slow", "slow", tag))
                .service(InferenceTask.class, "s.Slow")
                .write(jar);
    }

    private List<Path> shadowFolders() throws IOException {
        Path root = tmp.resolve("work").resolve("app-shadow");
        try (Stream<Path> list = Files.list(root)) {
            return list.toList();
        }
    }

    @Test
    void aJarDroppedInIsServedWithinFiveSecondsAtTheDefaultInterval() throws IOException {
        watch(AppFolderWatcher.DEFAULT_INTERVAL);
        assertThat(registry.names(TaskKind.MODEL)).isEmpty();

        Path built =
                PluginJars.builder()
                        .source("d.Seg", PluginSources.model("d.Seg", "seg", "dropped"))
                        .service(InferenceTask.class, "d.Seg")
                        .write(tmp.resolve("seg.jar"));
        Files.copy(built, apps.resolve("seg.jar"));

        Poll.until("model 'seg' to be served", DEADLINE, () -> serves("seg"));
        assertThat(tagOf("seg")).isEqualTo("dropped");
        assertThat(registry.status("seg").orElseThrow().state()).isEqualTo(AppState.LOADED);
    }

    @Test
    void replacingAJarSwapsTasksAfterTheRequestInFlightFinishesOnTheOldInstance() throws Exception {
        Path jar = slowJar(apps.resolve("slow.jar"), "v1");
        watch(FAST_POLL);
        CompletableFuture<String> inFlight =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (Lease<InferenceTask> lease = registry.inference("slow")) {
                                return (String)
                                        lease.call(
                                                        t ->
                                                                t.infer(
                                                                        TestRequests.inference(
                                                                                "slow",
                                                                                tmp.resolve("req"),
                                                                                Map.of(
                                                                                        "block",
                                                                                        true))))
                                                .json()
                                                .get("tag");
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
        assertThat(Probe.entered.await(5, TimeUnit.SECONDS)).isTrue();

        slowJar(jar, "v2");
        PluginJars.touch(jar, 5);
        Poll.until("version v2 to be served", DEADLINE, () -> tagOf("slow").equals("v2"));

        assertThat(Probe.events()).doesNotContain("close v1");
        assertThat(inFlight).isNotDone();
        assertThat(shadowFolders()).hasSize(2);

        Probe.release.countDown();
        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
        Poll.until("v1 to be closed", DEADLINE, () -> Probe.events().contains("close v1"));
        assertThat(Probe.events())
                .containsSubsequence(
                        "open v1", "infer-start v1", "open v2", "infer-end v1", "close v1");
        assertThat(Probe.events()).doesNotContain("close v2");
        assertThat(shadowFolders()).hasSize(1);
    }

    @Test
    void deletingAJarUnloadsItsTasks() throws IOException {
        Path jar = slowJar(apps.resolve("slow.jar"), "v1");
        watch(FAST_POLL);
        assertThat(serves("slow")).isTrue();

        Files.delete(jar);

        Poll.until("model 'slow' to be gone", DEADLINE, () -> !serves("slow"));
        assertThatThrownBy(() -> registry.inference("slow")).isInstanceOf(NotFoundException.class);
        assertThat(Probe.events()).containsExactly("open v1", "close v1");
        assertThat(registry.statuses()).isEmpty();
        assertThat(shadowFolders()).isEmpty();
    }

    @Test
    void aDroppedInJarThatClashesIsRefusedAndTheServingOneKept() throws IOException {
        slowJar(apps.resolve("first.jar"), "first");
        watch(FAST_POLL);

        slowJar(apps.resolve("again.jar"), "again"); // sorts before first.jar, but is the newcomer

        Poll.until("again.jar to be refused", DEADLINE, () -> registry.status("again").isPresent());
        AppStatus status = registry.status("again").orElseThrow();
        assertThat(status.state()).isEqualTo(AppState.FAILED);
        assertThat(status.error())
                .hasValueSatisfying(e -> assertThat(e).contains("again.jar", "first.jar"));
        assertThat(tagOf("slow")).isEqualTo("first");
    }

    @Test
    void anAppRefusedForAClashIsLoadedOnceTheOtherAppIsDeleted() throws IOException {
        Path first = slowJar(apps.resolve("first.jar"), "first");
        slowJar(apps.resolve("second.jar"), "second");
        watch(FAST_POLL);
        assertThat(registry.status("second").orElseThrow().state()).isEqualTo(AppState.FAILED);

        Files.delete(first);

        Poll.until(
                "second.jar to be loaded",
                DEADLINE,
                () ->
                        registry.status("second")
                                .map(s -> s.state() == AppState.LOADED)
                                .orElse(false));
        assertThat(tagOf("slow")).isEqualTo("second");
    }

    @Test
    void aBrokenReplacementUnloadsTheOldVersionAndIsReported() throws IOException {
        Path jar = slowJar(apps.resolve("slow.jar"), "v1");
        watch(FAST_POLL);

        PluginJars.writeGarbage(jar);
        PluginJars.touch(jar, 5);

        Poll.until(
                "slow to be failed",
                DEADLINE,
                () -> registry.status("slow").map(s -> s.state() == AppState.FAILED).orElse(false));
        assertThat(serves("slow")).isFalse();
        assertThat(Probe.events()).containsExactly("open v1", "close v1");
    }
}
