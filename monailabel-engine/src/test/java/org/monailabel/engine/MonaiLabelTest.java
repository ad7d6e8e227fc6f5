package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.Params;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.AppState;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.engine.apps.Probe;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.TestDatastores;
import org.monailabel.testing.TestRequests;

class MonaiLabelTest {
    /** A model that reports the AppContext it was opened with. */
    private static final String CONTEXT_MODEL =
            PluginSources.header("c.Context")
                    + """
                    public final class Context implements InferenceTask {
                        private AppContext context;

                        public ModelInfo info() {
                            return ModelInfo.of("context", ModelType.OTHERS, Map.of(), "Reports its context");
                        }

                        public void open(AppContext context) {
                            this.context = context;
                        }

                        public InferenceResult infer(InferenceRequest request) {
                            return new InferenceResult(Optional.empty(), Map.of(
                                    "appName", context.appName(),
                                    "appDir", context.appDir().toString(),
                                    "modelDir", context.modelDir().toString(),
                                    "device", context.device(),
                                    "threshold", context.config().getDouble("threshold", 0),
                                    "images", context.datastore().imageIds().size(),
                                    "contextLoader", String.valueOf(Thread.currentThread().getContextClassLoader().getName())));
                        }
                    }
                    """;

    @TempDir Path tmp;
    private Path apps;
    private Datastore datastore;

    @AfterEach
    void closeDatastore() {
        datastore.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        Probe.reset();
        apps = Files.createDirectories(tmp.resolve("apps"));
        datastore = TestDatastores.withImages(tmp.resolve("studies"), "spleen_10", "spleen_12");
        PluginJars.builder()
                .source("c.Context", CONTEXT_MODEL)
                .source("c.First", PluginSources.firstStrategy("c.First", "first"))
                .service(InferenceTask.class, "c.Context")
                .service(ActiveLearningStrategy.class, "c.First")
                .write(apps.resolve("radiology.jar"));
    }

    private MonaiLabel.Builder builder() {
        return MonaiLabel.builder()
                .datastore(datastore)
                .appsFolder(apps)
                .workDir(tmp.resolve("work"))
                .modelsDir(tmp.resolve("models"))
                .watch(false);
    }

    @Test
    void loadsAppsFromTheFolderAndRunsATaskInProcessWithItsContext() throws IOException {
        try (MonaiLabel monaiLabel = builder().conf("threshold", "0.5").device("cpu").build()) {
            Map<String, Object> json =
                    monaiLabel
                            .infer(
                                    "context",
                                    TestRequests.inference("context", tmp.resolve("req"), Map.of()))
                            .json();

            assertThat(json)
                    .containsEntry("appName", "radiology")
                    .containsEntry("appDir", apps.toString())
                    .containsEntry(
                            "modelDir", tmp.resolve("models").resolve("radiology").toString())
                    .containsEntry("device", "cpu")
                    .containsEntry("threshold", 0.5)
                    .containsEntry("images", 2)
                    .containsEntry("contextLoader", "app:radiology");
            assertThat(tmp.resolve("models").resolve("radiology")).isDirectory();
        }
    }

    @Test
    void infoListsWhatIsServedAndTheAppStatuses() throws IOException {
        PluginJars.writeGarbage(apps.resolve("broken.jar"));
        try (MonaiLabel monaiLabel = builder().build()) {
            AppsInfo info = monaiLabel.info();

            assertThat(info.models()).containsOnlyKeys("context");
            assertThat(info.models().get("context").description()).isEqualTo("Reports its context");
            assertThat(info.strategies()).containsOnlyKeys("first");
            assertThat(info.trainers()).isEmpty();
            assertThat(info.scoring()).isEmpty();
            assertThat(info.apps())
                    .extracting(s -> s.name() + ":" + s.state())
                    .containsExactly("broken:FAILED", "radiology:LOADED");
            assertThat(monaiLabel.apps()).isEqualTo(info.apps());
        }
    }

    @Test
    void nextSampleRecordsTheHandOutAndMergesTheImageInfo() throws IOException {
        try (MonaiLabel monaiLabel = builder().build()) {
            Map<String, Object> sample =
                    monaiLabel.nextSample("first", Params.of(Map.of("client_id", "annotator")));

            assertThat(sample)
                    .containsEntry("id", "spleen_10")
                    .containsEntry("weight", 1.0)
                    .containsEntry("name", "spleen_10.nii.gz")
                    .containsKey("ts");
            assertThat(sample.get("strategy"))
                    .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
                    .extractingByKey("first")
                    .asString()
                    .contains("client_id=annotator");
            assertThat(datastore.imageInfo("spleen_10")).containsKey("strategy");
        }
    }

    @Test
    void nextSampleIsEmptyWhenEveryImageIsLabeled() throws IOException {
        Path label = Files.writeString(tmp.resolve("label.nii.gz"), "label");
        datastore.saveLabel("spleen_10", Datastore.FINAL, label, "label.nii.gz", Map.of());
        datastore.saveLabel("spleen_12", Datastore.FINAL, label, "label.nii.gz", Map.of());
        try (MonaiLabel monaiLabel = builder().build()) {
            assertThat(monaiLabel.nextSample("first", Params.empty())).isEmpty();
        }
    }

    @Test
    void unknownNamesAreNotFound() throws IOException {
        try (MonaiLabel monaiLabel = builder().build()) {
            assertThatThrownBy(
                            () ->
                                    monaiLabel.infer(
                                            "nope", TestRequests.inference("nope", tmp, Map.of())))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("Model 'nope' not found");
            assertThatThrownBy(() -> monaiLabel.nextSample("nope", Params.empty()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("Strategy 'nope' not found");
        }
    }

    @Test
    void discoversAppsOnAGivenClassPathWithTheWorkDirAsAppDir() throws IOException {
        Path jar =
                PluginJars.builder()
                        .source(
                                "e.Context",
                                CONTEXT_MODEL
                                        .replace("package c;", "package e;")
                                        .replace("\"context\"", "\"embedded\""))
                        .service(InferenceTask.class, "e.Context")
                        .write(tmp.resolve("embedded.jar"));
        URL[] urls = {jar.toUri().toURL()};
        try (URLClassLoader classPath = new URLClassLoader(urls, getClass().getClassLoader());
                MonaiLabel monaiLabel =
                        MonaiLabel.builder()
                                .datastore(datastore)
                                .classpathApps(classPath)
                                .workDir(tmp.resolve("work"))
                                .build()) {
            Map<String, Object> json =
                    monaiLabel
                            .infer(
                                    "embedded",
                                    TestRequests.inference(
                                            "embedded", tmp.resolve("req"), Map.of()))
                            .json();

            assertThat(json)
                    .containsEntry("appName", "classpath")
                    .containsEntry("appDir", tmp.resolve("work").toString());
            assertThat(monaiLabel.apps())
                    .singleElement()
                    .satisfies(s -> assertThat(s.state()).isEqualTo(AppState.LOADED));
        }
    }

    @Test
    void closeUnloadsTheAppsButLeavesTheDatastoreOpen() throws IOException {
        PluginJars.builder()
                .source("s.Slow", Probe.blockingModel("s.Slow", "slow", "v1"))
                .service(InferenceTask.class, "s.Slow")
                .write(apps.resolve("slow.jar"));
        MonaiLabel monaiLabel = builder().build();
        assertThat(Probe.events()).containsExactly("open v1");

        monaiLabel.close();

        assertThat(Probe.events()).containsExactly("open v1", "close v1");
        assertThat(datastore.imageIds()).hasSize(2);
    }
}
