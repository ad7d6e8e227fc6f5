package org.monailabel.engine.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.AppConfig;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.TestDatastores;
import org.monailabel.testing.TestRequests;

class AppRegistryTest {
    @TempDir Path tmp;
    private AppRegistry registry;

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private Path apps() throws IOException {
        return Files.createDirectories(tmp.resolve("apps"));
    }

    private AppRegistry start(Map<String, String> conf) throws IOException {
        AppEnvironment env =
                new AppEnvironment(
                        AppConfig.of(conf),
                        TestDatastores.create(tmp.resolve("studies")),
                        "cpu",
                        tmp.resolve("work"),
                        tmp.resolve("models"));
        registry = new AppRegistry(env, getClass().getClassLoader());
        new AppFolderWatcher(apps(), registry, AppFolderWatcher.DEFAULT_INTERVAL).loadAll();
        return registry;
    }

    private static Path modelJar(Path jar, String cls, String model) throws IOException {
        return PluginJars.builder()
                .source(cls, PluginSources.model(cls, model, jar.getFileName().toString()))
                .service(InferenceTask.class, cls)
                .write(jar);
    }

    private InferenceResult infer(String model) throws IOException {
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            return lease.call(
                    task ->
                            task.infer(
                                    TestRequests.inference(model, tmp.resolve("req"), Map.of())));
        }
    }

    @Test
    void discoversAndServesAllKindsOfTasksOfAJar() throws IOException {
        PluginJars.builder()
                .source("a.Seg", PluginSources.model("a.Seg", "seg", "v1"))
                .source("a.Train", PluginSources.trainer("a.Train", "seg"))
                .source("a.First", PluginSources.firstStrategy("a.First", "first"))
                .source("a.Score", PluginSources.scoring("a.Score", "dummy"))
                .service(InferenceTask.class, "a.Seg")
                .service(TrainTask.class, "a.Train")
                .service(ActiveLearningStrategy.class, "a.First")
                .service(ScoringMethod.class, "a.Score")
                .write(apps().resolve("radiology.jar"));

        start(Map.of());

        assertThat(registry.statuses())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.name()).isEqualTo("radiology");
                            assertThat(s.source()).isEqualTo("radiology.jar");
                            assertThat(s.state()).isEqualTo(AppState.LOADED);
                            assertThat(s.tasks()).containsExactly("seg", "seg", "first", "dummy");
                        });
        AppsInfo info = registry.info();
        assertThat(info.models()).containsOnlyKeys("seg");
        assertThat(info.trainers()).containsOnlyKeys("seg");
        assertThat(info.strategies()).containsOnlyKeys("first");
        assertThat(info.scoring()).containsOnlyKeys("dummy");
        assertThat(infer("seg").json()).containsEntry("tag", "v1");
        try (Lease<InferenceTask> lease = registry.inference("seg")) {
            assertThat(lease.appName()).isEqualTo("radiology");
            assertThat(lease.classLoader().getName()).isEqualTo("app:radiology");
            assertThat(lease.task().getClass().getClassLoader()).isSameAs(lease.classLoader());
        }
    }

    @Test
    void unknownNamesAreNotFoundWithTheKindInTheMessage() throws IOException {
        start(Map.of());

        assertThatThrownBy(() -> registry.inference("x"))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("Model 'x' not found");
        assertThatThrownBy(() -> registry.strategy("x")).hasMessage("Strategy 'x' not found");
        assertThatThrownBy(() -> registry.trainer("x")).hasMessage("Trainer 'x' not found");
        assertThatThrownBy(() -> registry.scoring("x")).hasMessage("Scoring method 'x' not found");
    }

    @Test
    void appCodeSeesTheApiEngineAndSlf4jButNotTheHostsOtherLibraries() throws IOException {
        String source =
                PluginSources.header("v.Visibility")
                        + """
                        public final class Visibility implements InferenceTask {
                            public ModelInfo info() {
                                return ModelInfo.of("visibility", ModelType.OTHERS, Map.of(), "Class visibility");
                            }

                            public InferenceResult infer(InferenceRequest request) {
                                return new InferenceResult(Optional.empty(), Map.of(
                                        "gson", visible("com.google.gson.Gson"),
                                        "junit", visible("org.junit.jupiter.api.Test"),
                                        "slf4j", visible("org.slf4j.LoggerFactory"),
                                        "engine", visible("org.monailabel.engine.MonaiLabel"),
                                        "api", visible("org.monailabel.api.Datastore"),
                                        "jdk", visible("java.net.http.HttpClient")));
                            }

                            private static boolean visible(String name) {
                                try {
                                    Class.forName(name);
                                    return true;
                                } catch (ClassNotFoundException e) {
                                    return false;
                                }
                            }
                        }
                        """;
        PluginJars.builder()
                .source("v.Visibility", source)
                .service(InferenceTask.class, "v.Visibility")
                .write(apps().resolve("visibility.jar"));
        start(Map.of());

        assertThat(infer("visibility").json())
                .containsEntry("gson", false)
                .containsEntry("junit", false)
                .containsEntry("slf4j", true)
                .containsEntry("engine", true)
                .containsEntry("api", true)
                .containsEntry("jdk", true);
    }

    @Test
    void aSecondAppWithTheSameModelNameIsRefusedNamingBothJars() throws IOException {
        modelJar(apps().resolve("alpha.jar"), "a.Seg", "seg");
        modelJar(apps().resolve("beta.jar"), "b.Seg", "seg");

        start(Map.of());

        assertThat(registry.status("alpha").orElseThrow().state()).isEqualTo(AppState.LOADED);
        AppStatus beta = registry.status("beta").orElseThrow();
        assertThat(beta.state()).isEqualTo(AppState.FAILED);
        assertThat(beta.error())
                .hasValueSatisfying(e -> assertThat(e).contains("'seg'", "beta.jar", "alpha.jar"));
        assertThat(infer("seg").json()).containsEntry("tag", "alpha.jar");
    }

    @Test
    void confModelsSelectsModelsAndTrainersButKeepsStrategies() throws IOException {
        modelJar(apps().resolve("one.jar"), "a.Seg", "seg");
        PluginJars.builder()
                .source("b.Other", PluginSources.model("b.Other", "other", "v1"))
                .source("b.Train", PluginSources.trainer("b.Train", "other"))
                .source("b.First", PluginSources.firstStrategy("b.First", "first"))
                .service(InferenceTask.class, "b.Other")
                .service(TrainTask.class, "b.Train")
                .service(ActiveLearningStrategy.class, "b.First")
                .write(apps().resolve("two.jar"));

        start(Map.of("models", "seg, nothing"));

        assertThat(registry.names(TaskKind.MODEL)).containsExactly("seg");
        assertThat(registry.names(TaskKind.TRAINER)).isEmpty();
        assertThat(registry.names(TaskKind.STRATEGY)).containsExactly("first");
        registry.warnUnmatchedSelection(); // logs a warning for 'nothing'
    }

    @Test
    void confModelsAllSelectsEverything() throws IOException {
        modelJar(apps().resolve("one.jar"), "a.Seg", "seg");
        modelJar(apps().resolve("two.jar"), "b.Other", "other");

        start(Map.of("models", "all"));

        assertThat(registry.names(TaskKind.MODEL)).containsExactly("seg", "other");
    }

    @Test
    void brokenJarsAreReportedFailedAndTheOthersStillWork() throws IOException {
        modelJar(apps().resolve("good.jar"), "g.Seg", "seg");
        PluginJars.writeGarbage(apps().resolve("garbage.jar"));
        PluginJars.builder()
                .service(InferenceTask.class, "m.Missing")
                .write(apps().resolve("missing.jar"));
        PluginJars.builder()
                .source("o.Bad", PluginSources.failingOpen("o.Bad", "bad"))
                .source("o.Fine", PluginSources.model("o.Fine", "fine", "v1"))
                .service(InferenceTask.class, "o.Fine")
                .service(InferenceTask.class, "o.Bad")
                .write(apps().resolve("opens.jar"));

        start(Map.of());

        assertThat(registry.status("garbage").orElseThrow().error())
                .hasValueSatisfying(e -> assertThat(e).contains("garbage.jar", "not a valid jar"));
        assertThat(registry.status("missing").orElseThrow().error())
                .hasValueSatisfying(e -> assertThat(e).contains("m.Missing"));
        assertThat(registry.status("opens").orElseThrow().error())
                .hasValueSatisfying(e -> assertThat(e).contains("'bad'", "weights missing"));
        assertThat(registry.statuses())
                .filteredOn(s -> s.state() == AppState.FAILED)
                .extracting(AppStatus::name)
                .containsExactly("garbage", "missing", "opens");
        assertThat(registry.names(TaskKind.MODEL)).containsExactly("seg");
        assertThat(infer("seg").json()).containsEntry("tag", "good.jar");
    }

    @Test
    void aProviderThatFailsToLinkIsRecordedWithoutHidingTheOthers() throws IOException {
        String linked =
                PluginSources.header("l.Linked")
                        + """
                        public final class Linked implements InferenceTask {
                            private final Helper helper = new Helper();

                            public ModelInfo info() {
                                return ModelInfo.of("linked", ModelType.OTHERS, Map.of(), helper.toString());
                            }

                            public InferenceResult infer(InferenceRequest request) {
                                return new InferenceResult(Optional.empty(), Map.of());
                            }
                        }
                        """;
        PluginJars.builder()
                .source("l.Linked", linked)
                .source("l.Helper", "package l; public class Helper {}")
                .omitClass("l.Helper")
                .source("l.Fine", PluginSources.model("l.Fine", "fine", "v1"))
                .service(InferenceTask.class, "l.Linked")
                .service(InferenceTask.class, "l.Fine")
                .write(apps().resolve("linkage.jar"));

        start(Map.of());

        AppStatus status = registry.status("linkage").orElseThrow();
        assertThat(status.state()).isEqualTo(AppState.FAILED);
        assertThat(status.error())
                .hasValueSatisfying(e -> assertThat(e).contains("l.Linked", "l.Helper"));
        assertThat(status.tasks()).containsExactly("fine");
    }

    @Test
    void aSubFolderOfJarsIsOneApp() throws IOException {
        Path folder = Files.createDirectories(apps().resolve("pathology"));
        modelJar(folder.resolve("models.jar"), "p.Seg", "nuclei");
        PluginJars.builder()
                .source("p.First", PluginSources.firstStrategy("p.First", "first"))
                .service(ActiveLearningStrategy.class, "p.First")
                .write(folder.resolve("strategies.jar"));

        start(Map.of());

        assertThat(registry.statuses())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.name()).isEqualTo("pathology");
                            assertThat(s.state()).isEqualTo(AppState.LOADED);
                            assertThat(s.tasks()).containsExactly("nuclei", "first");
                        });
        try (Lease<InferenceTask> model = registry.inference("nuclei");
                Lease<ActiveLearningStrategy> strategy = registry.strategy("first")) {
            assertThat(model.classLoader()).isSameAs(strategy.classLoader());
        }
    }

    @Test
    void appsOnAClassPathAreDiscoveredAsTheClasspathApp() throws IOException {
        Path jar = modelJar(tmp.resolve("embedded.jar"), "c.Seg", "seg");
        start(Map.of());

        try (var hostClassPath =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            AppStatus status =
                    registry.load(AppSource.classpath(hostClassPath, tmp.resolve("work")));

            assertThat(status.name()).isEqualTo("classpath");
            assertThat(status.state()).isEqualTo(AppState.LOADED);
            assertThat(infer("seg").json()).containsEntry("tag", "embedded.jar");
        }
    }

    @Test
    void unloadClosesTheAppAndDeletesItsShadowCopies() throws IOException {
        modelJar(apps().resolve("seg.jar"), "s.Seg", "seg");
        start(Map.of());
        Path shadowRoot = tmp.resolve("work").resolve("app-shadow");
        assertThat(shadowRoot).isNotEmptyDirectory();

        assertThat(registry.unload("seg")).isTrue();

        assertThatThrownBy(() -> registry.inference("seg")).isInstanceOf(NotFoundException.class);
        assertThat(registry.statuses()).isEmpty();
        assertThat(shadowRoot).isEmptyDirectory();
    }

    @Test
    void shadowCopiesLeftByACrashedRunAreDeletedAtStart() throws IOException {
        Path leftover =
                Files.createDirectories(
                        tmp.resolve("work").resolve("app-shadow").resolve("old-1-123"));
        Files.writeString(leftover.resolve("old.jar"), "old");

        start(Map.of());

        assertThat(leftover).doesNotExist();
    }
}
