package org.monailabel.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.Params;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.apps.AppState;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;

/**
 * How another Java program embeds monailabel: load apps, ask a strategy for the next image, run a
 * model on it, all in-process, with no HTTP server in between.
 *
 * <p>A real program would point {@code appsFolder} at a folder of app jars (built like {@code
 * monailabel-app-template}) and open its datastore with {@code LocalDatastore.open(studies)}; this
 * test compiles a tiny app jar on the fly and uses the test datastore, so it runs anywhere.
 */
class EmbeddingExampleTest {
    /** The app's one model: "segments" by copying the image into the request's work folder. */
    private static final String SPLEEN_MODEL =
            PluginSources.header("example.Spleen")
                    + """
                    public final class Spleen implements InferenceTask {
                        public ModelInfo info() {
                            return ModelInfo.of("spleen", ModelType.SEGMENTATION, Map.of("spleen", 1), "Spleen on CT");
                        }

                        public InferenceResult infer(InferenceRequest request) throws java.io.IOException {
                            java.nio.file.Path label = request.workDir().resolve("label.nii.gz");
                            java.nio.file.Files.copy(request.image(), label);
                            return new InferenceResult(Optional.of(label), Map.of("label_names", Map.of("spleen", 1)));
                        }
                    }
                    """;

    @TempDir Path tmp;

    @Test
    void embedsMonaiLabelAndCallsTasksInProcess() throws IOException {
        // An apps folder with one app jar: a model and a strategy, listed in META-INF/services.
        Path apps = Files.createDirectories(tmp.resolve("apps"));
        PluginJars.builder()
                .source("example.Spleen", SPLEEN_MODEL)
                .source("example.First", PluginSources.firstStrategy("example.First", "first"))
                .service(InferenceTask.class, "example.Spleen")
                .service(ActiveLearningStrategy.class, "example.First")
                .write(apps.resolve("spleen-app.jar"));
        // A studies folder (here two generated phantom CTs) opened as MONAI Label's local
        // datastore.
        Path studies = tmp.resolve("studies");
        SampleStudies.generate(studies, 2, 1);

        try (LocalDatastore datastore = LocalDatastore.open(studies);
                MonaiLabel monaiLabel =
                        MonaiLabel.builder()
                                .datastore(
                                        datastore) // we keep ownership: MonaiLabel does not close
                                // it
                                .appsFolder(apps) // jars dropped in later are loaded too
                                .conf("models", "spleen") // like --conf models spleen
                                .device("cpu")
                                .workDir(tmp.resolve("work")) // shadow copies of the jars live here
                                .build()) {

            // What is loaded: the same data the server's GET /info/ shows.
            AppsInfo info = monaiLabel.info();
            assertThat(info.models()).containsOnlyKeys("spleen");
            assertThat(info.strategies()).containsOnlyKeys("first");
            assertThat(info.apps())
                    .extracting(AppStatus::name, AppStatus::state)
                    .containsExactly(tuple("spleen-app", AppState.LOADED));

            // Next image to annotate (the hand-out is recorded in the datastore).
            Map<String, Object> next =
                    monaiLabel.nextSample("first", Params.of(Map.of("client_id", "example")));
            String imageId = (String) next.get("id");
            assertThat(imageId).isEqualTo("phantom_000");

            // Run the model on it.
            Path work = Files.createDirectories(tmp.resolve("request"));
            InferenceRequest request =
                    new InferenceRequest(
                            "spleen",
                            datastore.imageFile(imageId),
                            Optional.of(imageId),
                            Params.empty(),
                            Optional.empty(),
                            work);
            InferenceResult result = monaiLabel.infer("spleen", request);

            assertThat(result.file()).hasValueSatisfying(label -> assertThat(label).exists());
            assertThat(result.json()).containsEntry("label_names", Map.of("spleen", 1));
        }
    }

    @Test
    void appsThatAreOrdinaryDependenciesLoadFromTheClassPath() throws IOException {
        // Apps on the program's own class path (here the monailabel-app-template dependency) form
        // one app named "classpath"; the template's strategies show up in info().strategies().
        Path studies = tmp.resolve("studies");
        SampleStudies.generate(studies, 3, 2);
        try (LocalDatastore datastore = LocalDatastore.open(studies);
                MonaiLabel monaiLabel =
                        MonaiLabel.builder()
                                .datastore(datastore)
                                .classpathApps(true)
                                .workDir(tmp.resolve("work"))
                                .build()) {
            assertThat(monaiLabel.apps())
                    .singleElement()
                    .satisfies(
                            app -> {
                                assertThat(app.name()).isEqualTo("classpath");
                                assertThat(app.state()).isEqualTo(AppState.LOADED);
                            });
            assertThat(monaiLabel.info().strategies()).containsKeys("random", "first", "last");
            Map<String, Object> next = monaiLabel.nextSample("random", Params.empty());
            assertThat(next.get("id")).isIn("phantom_000", "phantom_001", "phantom_002");
            assertThat(next).containsEntry("name", next.get("id") + ".nii.gz");
        }
    }
}
