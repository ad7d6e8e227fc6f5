package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobStatus;
import org.monailabel.engine.session.Session;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;

/** The use cases of the application layer, called as an embedding program calls them. */
class MonaiLabelUseCasesTest {
    /**
     * Copies the image as its "label" and echoes what it was given; its defaults are level 1, mode
     * a.
     */
    private static final String ECHO =
            PluginSources.header("u.Echo")
                    + """
                    public final class Echo implements InferenceTask {
                        public ModelInfo info() {
                            return new ModelInfo("echo", ModelType.SEGMENTATION, Map.of("organ", 1), 3, "Echo",
                                    Map.of("level", 1, "mode", "a"));
                        }

                        public InferenceResult infer(InferenceRequest request) throws java.io.IOException {
                            java.nio.file.Path label = request.workDir().resolve("label.nii.gz");
                            java.nio.file.Files.copy(request.image(), label);
                            return new InferenceResult(Optional.of(label), Map.of("params", request.params().asMap(),
                                    "image", request.image().toString(), "imageId", request.imageId().orElse(""),
                                    "hasLabel", request.label().isPresent()));
                        }
                    }
                    """;

    @TempDir static Path generated;
    static List<String> ids;
    @TempDir Path tmp;
    Path studies;
    MonaiLabel monaiLabel;

    @BeforeAll
    static void generate() throws IOException {
        ids = MonaiLabel.generateSampleStudies(generated.resolve("studies"), 2, 3);
    }

    @BeforeEach
    void setUp() throws IOException {
        Path apps = Files.createDirectories(tmp.resolve("apps"));
        PluginJars.builder()
                .source("u.Echo", ECHO)
                .source("u.Trainer", PluginSources.trainer("u.Trainer", "echo"))
                .service(InferenceTask.class, "u.Echo")
                .service(TrainTask.class, "u.Trainer")
                .write(apps.resolve("echo.jar"));
        studies = Files.createDirectories(tmp.resolve("studies"));
        for (String id : ids) {
            Files.copy(
                    generated.resolve("studies").resolve(id + ".nii.gz"),
                    studies.resolve(id + ".nii.gz"));
        }
        monaiLabel = builder(apps).build();
    }

    private MonaiLabel.Builder builder(Path apps) {
        return MonaiLabel.builder()
                .studies(studies, false)
                .appsFolder(apps)
                .watch(false)
                .workDir(tmp.resolve("work"))
                .inferenceLimits(new InferenceLimits(1, 0));
    }

    @AfterEach
    void tearDown() {
        monaiLabel.close();
    }

    private Path upload(String name) throws IOException {
        Path spooled = Files.createDirectories(tmp.resolve("uploads")).resolve(name + ".part");
        Files.copy(monaiLabel.datastore().imageFile(ids.get(0)), spooled);
        return spooled;
    }

    private List<Path> inferFolders() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("work").resolve("infer"))) {
            return files.toList();
        }
    }

    @Test
    void anUploadIsCheckedMovedIntoTheWorkFolderAndDeletedWithTheResult() throws Exception {
        Path spooled = upload("a");
        Inference inference =
                monaiLabel.infer(
                        InferRequest.ofUpload(
                                "echo", new Upload(spooled, "C:\\x\\ct.nii.gz"), Map.of()));

        assertThat(spooled).doesNotExist();
        assertThat((String) inference.result().json().get("image")).endsWith("input_image.nii.gz");
        assertThat(inference.result().json()).containsEntry("imageId", "");
        assertThat(inference.savedLabel()).isEmpty();
        assertThat(inferFolders()).containsExactly(inference.workDir());
        inference.close();
        assertThat(inferFolders()).isEmpty();
    }

    @Test
    void anUploadThatIsNotWhatItsNameSaysIsRefusedAndLeavesNothing() throws Exception {
        Path spooled = Files.writeString(tmp.resolve("junk.part"), "not a NIfTI file");

        assertThatThrownBy(
                        () ->
                                monaiLabel.infer(
                                        InferRequest.ofUpload(
                                                "echo",
                                                new Upload(spooled, "ct.nii.gz"),
                                                Map.of())))
                .isInstanceOf(InvalidInputException.class);
        assertThat(inferFolders()).isEmpty();
    }

    @Test
    void theModelsDefaultsFillInWhatTheRequestLeavesOut() throws Exception {
        try (Inference inference =
                monaiLabel.infer(InferRequest.ofImage("echo", ids.get(0), Map.of("mode", "b")))) {
            assertThat(inference.result().json())
                    .containsEntry("params", Map.of("level", 1, "mode", "b"))
                    .containsEntry("imageId", ids.get(0));
        }
    }

    @Test
    void saveLabelStoresTheResultAsTheImagesLabelUnderTheTagAsked() throws Exception {
        try (Inference inference =
                monaiLabel.infer(
                        InferRequest.ofImage(
                                "echo",
                                ids.get(1),
                                Map.of("save_label", true, "label_tag", "suggested")))) {
            assertThat(inference.savedLabel()).isPresent();
            assertThat(monaiLabel.datastore().labelFile(ids.get(1), "suggested")).isPresent();
            assertThat(monaiLabel.datastore().labelInfo(ids.get(1), "suggested").orElseThrow())
                    .containsEntry("model", "echo");
        }
        try (Inference unsaved =
                monaiLabel.infer(InferRequest.ofImage("echo", ids.get(0), Map.of()))) {
            assertThat(unsaved.savedLabel()).isEmpty();
        }
    }

    @Test
    void aSessionsImageIsUsedAndAnUnknownSessionFallsBackToTheImageOrIsNotFound() throws Exception {
        Session session =
                monaiLabel.createSession(
                        List.of(new Upload(upload("s"), "ct.nii.gz")), Map.of(), 0);
        try (Inference inference =
                monaiLabel.infer(
                        new InferRequest(
                                "echo",
                                Optional.empty(),
                                Optional.of(session.id()),
                                Optional.of(ids.get(1)),
                                Map.of(),
                                Optional.empty()))) {
            assertThat((String) inference.result().json().get("image"))
                    .isEqualTo(session.image().toString());
        }
        try (Inference fallback =
                monaiLabel.infer(
                        new InferRequest(
                                "echo",
                                Optional.empty(),
                                Optional.of("expired"),
                                Optional.of(ids.get(1)),
                                Map.of(),
                                Optional.empty()))) {
            assertThat(fallback.result().json()).containsEntry("imageId", ids.get(1));
        }
        assertThatThrownBy(
                        () ->
                                monaiLabel.infer(
                                        new InferRequest(
                                                "echo",
                                                Optional.empty(),
                                                Optional.of("expired"),
                                                Optional.empty(),
                                                Map.of(),
                                                Optional.empty())))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("Session (expired) Not Found");
        assertThatThrownBy(
                        () ->
                                monaiLabel.infer(
                                        new InferRequest(
                                                "echo",
                                                Optional.empty(),
                                                Optional.empty(),
                                                Optional.empty(),
                                                Map.of(),
                                                Optional.empty())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("Neither image, file nor session_id was given");
        assertThat(monaiLabel.removeSession(session.id())).isPresent();
        assertThat(monaiLabel.session(session.id(), false)).isEmpty();
    }

    @Test
    void aFullQueueIsRefusedAtOnceWithOneRetryAfterAndAnUnknownModelIsNotFoundFirst()
            throws Exception {
        try (MonaiLabel.Admission running = monaiLabel.admit("echo")) {
            assertThatThrownBy(() -> monaiLabel.admit("echo"))
                    .isInstanceOfSatisfying(
                            BusyException.class,
                            e -> assertThat(e.retryAfterSeconds()).isEqualTo(1))
                    .hasMessageContaining("1 running, 0 waiting");
            assertThatThrownBy(
                            () ->
                                    monaiLabel.infer(
                                            InferRequest.ofImage("echo", ids.get(0), Map.of())))
                    .isInstanceOf(BusyException.class);
            assertThatThrownBy(() -> monaiLabel.admit("nope"))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("Model 'nope' not found");
        }
        monaiLabel.admit("echo").close(); // the place was given back
    }

    @Test
    void theConfsInferThreadsWinsOverTheBuildersLimits() throws Exception {
        monaiLabel.close();
        monaiLabel = builder(tmp.resolve("apps")).conf("infer_threads", "2").build();
        try (MonaiLabel.Admission a = monaiLabel.admit("echo");
                MonaiLabel.Admission b = monaiLabel.admit("echo")) {
            assertThatThrownBy(() -> monaiLabel.admit("echo"))
                    .isInstanceOf(BusyException.class)
                    .hasMessageContaining("2 running, 0 waiting");
        }
    }

    @Test
    void batchInferenceSavesALabelForEachImageAsked() throws Exception {
        Job job =
                monaiLabel.batchInfer(
                        "echo", MonaiLabel.BatchImages.ALL, Map.of("label_tag", "batch"), false);
        assertThat(job.awaitEnd(1, TimeUnit.MINUTES)).isTrue();

        assertThat(job.status()).isEqualTo(JobStatus.DONE);
        assertThat(job.result().orElseThrow()).containsOnlyKeys(ids);
        for (String id : ids) {
            assertThat(monaiLabel.datastore().labelFile(id, "batch")).isPresent();
        }
        assertThat(monaiLabel.latest(JobKind.BATCH_INFER)).contains(job);
        assertThat(inferFolders()).isEmpty();
    }

    @Test
    void trainingRunsWithTheTrainersDefaultsUnderTheRequestAndOneJobAtATime() throws Exception {
        Job job = monaiLabel.train("echo", Map.of("extra", 2), false);
        assertThat(job.awaitEnd(1, TimeUnit.MINUTES)).isTrue();

        assertThat(job.result()).contains(Map.of("trained", "echo"));
        assertThat(job.toJson().get("request"))
                .isEqualTo(Map.of("max_epochs", 1, "extra", 2, "model", "echo"));
        assertThat(monaiLabel.jobs(JobKind.TRAIN)).containsExactly(job);
        assertThat(monaiLabel.trainAll(Map.of()))
                .containsOnlyKeys("echo")
                .hasEntrySatisfying("echo", s -> assertThat(s.job()).isPresent());
        assertThatThrownBy(() -> monaiLabel.train("nope", Map.of(), false))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("Trainer 'nope' not found");
        assertThat(monaiLabel.stop(JobKind.SCORING)).isEmpty();
    }
}
