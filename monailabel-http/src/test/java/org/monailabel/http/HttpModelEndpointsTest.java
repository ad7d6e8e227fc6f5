package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.TrainTask;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.Poll;

/**
 * {@code PUT} and {@code DELETE /model/{model}} (docs/rest-api.md §10) on a model served from
 * versioned cards: an app {@code segapp} with a {@code SegmentationTask} named {@code organs},
 * whose v1 (a tiny untrained UNet) is published before the server starts. Each test has its own
 * server.
 */
@Tag("engine")
class HttpModelEndpointsTest {
    static final UNetConfig CONFIG =
            new UNetConfig(
                    1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
    static final String ORGANS =
            PluginSources.header("seg.Organs")
                    + """
                    public final class Organs extends org.monailabel.engine.segmentation.SegmentationTask {
                        public Organs() {
                            super("organs", "Organs (tiny UNet)", Map.of("organ", 1));
                        }
                    }
                    """;

    /** A trainer that runs until a file {@code release} appears in its model folder. */
    static final String WAITING_TRAINER =
            PluginSources.header("seg.Waits")
                    + """
                    import java.nio.file.*;

                    public final class Waits implements TrainTask {
                        private Path modelDir;

                        public TrainerInfo info() {
                            return new TrainerInfo("waits", "Waits for a file", Map.of(), Map.of("organ", 1));
                        }

                        public void open(AppContext context) {
                            modelDir = context.modelDir();
                        }

                        public Map<String, Object> train(Params params, JobControl control) throws java.io.IOException {
                            Files.writeString(modelDir.resolve("started"), "yes");
                            while (!Files.exists(modelDir.resolve("release")) && !control.stopRequested()) {
                                try {
                                    Thread.sleep(20);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    break;
                                }
                            }
                            return Map.of();
                        }

                        public Map<String, Object> stats() {
                            return Map.of();
                        }

                        public void close() {}
                    }
                    """;

    static byte[] otherWeights;
    static byte[] misfitWeights;

    Path folder;

    @RegisterExtension
    final TestServerExtension server = TestServerExtension.create().prepare(this::prepare);

    @BeforeAll
    static void weights() throws IOException {
        Devices.engine();
        otherWeights = weightsOf(CONFIG, 2);
        // a network with other channel counts: a valid parameter file that does not fit the card
        misfitWeights =
                weightsOf(
                        new UNetConfig(
                                1,
                                2,
                                new int[] {6, 12},
                                new int[] {2},
                                1,
                                Norm.BATCH,
                                Activation.PRELU,
                                0),
                        3);
    }

    /** The study, the app and the model's v1 in the server's folder, before it starts. */
    void prepare(Path root) throws IOException {
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("img1.nii.gz"));
        PluginJars.builder()
                .source("seg.Organs", ORGANS)
                .source("seg.Waits", WAITING_TRAINER)
                .service(InferenceTask.class, "seg.Organs")
                .service(TrainTask.class, "seg.Waits")
                .write(Files.createDirectories(root.resolve("apps")).resolve("segapp.jar"));
        folder = root.resolve("work/models/segapp/organs");
        ModelCard card =
                new ModelCard(
                        "organs",
                        1,
                        "unet",
                        CONFIG.toMap(),
                        "model.params",
                        Map.of("background", 0, "organ", 1),
                        new double[] {1.6, 1.6, 2.5},
                        IntensityWindow.ct(0, 250),
                        new int[] {16, 16, 16},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of("trained_by", "test"));
        new ModelVersions(folder, 5).publish(card, new ByteArrayInputStream(weightsOf(CONFIG, 1)));
    }

    @Test
    void putPublishesTheUploadAsANewVersionThatIsServed() throws Exception {
        assertThat(infer().statusCode()).isEqualTo(200); // v1 loaded and serving

        HttpResponse<byte[]> put =
                server.multipart(
                        "PUT",
                        "/model/organs",
                        new SlicerMultipart().file("file", "C:\\models\\organs.pt", otherWeights));

        assertThat(put.statusCode())
                .as(new String(put.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        Map<String, Object> json = TestServer.json(put);
        assertThat(json).containsEntry("checksum", "SHA256:" + sha256(otherWeights));
        assertThat(json.get("modified_time")).isInstanceOf(Number.class);
        assertThat(server.getBytes("/model/organs").body()).isEqualTo(otherWeights);
        assertThat(TestServer.json(server.get("/model/info/organs")))
                .containsEntry("checksum", json.get("checksum"));
        ModelVersions versions = new ModelVersions(folder, 5);
        assertThat(versions.list()).containsExactly(1, 2);
        ModelCard current = ModelCard.read(folder.resolve(ModelCard.FILE_NAME));
        assertThat(current.version()).isEqualTo(2);
        assertThat(current.provenance())
                .containsEntry("source", "upload")
                .containsEntry("file_name", "organs.pt")
                .containsEntry("card_of_version", 1L);
        HttpResponse<byte[]> after = infer();
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(after)).containsEntry("model_version", 2L);
    }

    @Test
    void weightsDoNotChangeWhileATrainingJobIsQueuedOrRuns() throws Exception {
        TestServer srv = server.server();
        Path appModels = folder.getParent();
        HttpResponse<String> started = srv.postJson("/train/waits", "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        // refused from the moment the job is accepted, queued or running
        HttpResponse<byte[]> put = upload(srv);
        assertThat(put.statusCode()).isEqualTo(409);
        assertThat(new String(put.body(), StandardCharsets.UTF_8)).contains("waits");
        assertThat(srv.delete("/model/organs").statusCode()).isEqualTo(409);
        Poll.until(
                "the trainer started",
                Duration.ofSeconds(30),
                () -> Files.exists(appModels.resolve("started")));
        assertThat(upload(srv).statusCode()).isEqualTo(409);
        Files.writeString(appModels.resolve("release"), "go");
        assertThat(srv.awaitTraining(Duration.ofSeconds(30))).isEqualTo("DONE");
        assertThat(upload(srv).statusCode()).isEqualTo(200);
    }

    private HttpResponse<byte[]> upload(TestServer srv) throws Exception {
        return srv.multipart(
                "PUT",
                "/model/organs",
                new SlicerMultipart().file("file", "organs.pt", otherWeights));
    }

    @Test
    void versionsAreListedAndAKeptOneIsServedAgainOverHttpAndFromTheCommandLine() throws Exception {
        TestServer srv = server.server();
        assertThat(upload(srv).statusCode()).isEqualTo(200); // v2
        Map<String, Object> history = TestServer.json(srv.get("/model/organs/versions"));
        assertThat(history).containsEntry("model", "organs").containsEntry("current", 2L);
        List<?> versions = (List<?>) history.get("versions");
        assertThat(versions).hasSize(2);
        Map<?, ?> v1 = (Map<?, ?>) versions.get(0);
        Map<?, ?> v2 = (Map<?, ?>) versions.get(1);
        assertThat(v1.get("version")).isEqualTo(1L);
        assertThat(v1.get("serving")).isEqualTo(false);
        assertThat(((Map<?, ?>) v1.get("provenance")).get("trained_by")).isEqualTo("test");
        assertThat(v2.get("serving")).isEqualTo(true);
        assertThat(((Map<?, ?>) v2.get("provenance")).get("source")).isEqualTo("upload");
        assertThat((String) v2.get("time")).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");

        HttpResponse<String> back = srv.postJson("/model/organs/rollback?version=1", "{}");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(TestServer.json(back)).containsEntry("current", 1L);
        assertThat(srv.getBytes("/model/organs").body()).isEqualTo(weightsOf(CONFIG, 1));
        assertThat(infer().statusCode()).isEqualTo(200);

        assertThat(srv.postJson("/model/organs/rollback?version=9", "{}").statusCode())
                .isEqualTo(404);
        assertThat(srv.postJson("/model/organs/rollback?version=x", "{}").statusCode())
                .isEqualTo(400);
        assertThat(srv.get("/model/nope/versions").statusCode()).isEqualTo(404);

        // the command line, on the same work dir
        Path work = srv.root.resolve("work");
        String listed =
                HttpServerLifecycleTest.run(
                        "models", "list", "--work-dir", work.toString(), "--json");
        assertThat(listed)
                .startsWith("0:")
                .contains("\"model\":\"segapp/organs\"")
                .contains("\"current\":1");
        assertThat(
                        HttpServerLifecycleTest.run(
                                "models",
                                "rollback",
                                "--work-dir",
                                work.toString(),
                                "--model",
                                "organs",
                                "--version",
                                "2"))
                .startsWith("0:")
                .contains("segapp/organs  (serving: 2)");
        assertThat(ModelCard.read(folder.resolve(ModelCard.FILE_NAME)).version()).isEqualTo(2);
        assertThat(
                        HttpServerLifecycleTest.run(
                                "models",
                                "rollback",
                                "--work-dir",
                                work.toString(),
                                "--model",
                                "organs",
                                "--version",
                                "7"))
                .startsWith("1:")
                .contains("not kept");
        assertThat(
                        HttpServerLifecycleTest.run(
                                "models",
                                "list",
                                "--work-dir",
                                srv.root.resolve("nowhere").toString()))
                .startsWith("1:")
                .contains("No models folder");
    }

    @Test
    void putRefusesWeightsThatDoNotLoadWithTheCardAndChangesNothing() throws Exception {
        byte[] before = server.getBytes("/model/organs").body();
        for (byte[] bad :
                List.of(misfitWeights, "not weights at all".getBytes(StandardCharsets.UTF_8))) {
            HttpResponse<byte[]> put =
                    server.multipart(
                            "PUT",
                            "/model/organs",
                            new SlicerMultipart().file("file", "organs.pt", bad));

            assertThat(put.statusCode()).isEqualTo(400);
            assertThat((String) TestServer.json(put).get("detail"))
                    .startsWith(
                            "Uploaded weights do not load with model 'organs' (nothing changed)");
        }
        assertThat(server.getBytes("/model/organs").body()).isEqualTo(before);
        assertThat(new ModelVersions(folder, 5).list()).containsExactly(1);
        assertThat(new ModelVersions(folder, 5).current()).contains(1);
        assertThat(TestServer.json(infer())).containsEntry("model_version", 1L);
    }

    @Test
    void putNeedsAFilePartAModelAndACard() throws Exception {
        HttpResponse<byte[]> noFile =
                server.multipart("PUT", "/model/organs", new SlicerMultipart().field("x", "1"));
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat((String) TestServer.json(noFile).get("detail")).contains("file part 'file'");

        HttpResponse<byte[]> unknown =
                server.multipart(
                        "PUT",
                        "/model/nope",
                        new SlicerMultipart().file("file", "w.pt", otherWeights));
        assertThat(unknown.statusCode()).isEqualTo(404);

        // the test app's "threshold" is not served from a card
        HttpResponse<byte[]> noCard =
                server.multipart(
                        "PUT",
                        "/model/threshold",
                        new SlicerMultipart().file("file", "w.pt", otherWeights));
        assertThat(noCard.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(noCard))
                .containsEntry("detail", "Model File NOT Found for threshold");
    }

    @Test
    void deleteMovesTheWeightsAsideAndTheModelStopsServing() throws Exception {
        byte[] weights = server.getBytes("/model/organs").body();
        assertThat(infer().statusCode())
                .isEqualTo(200); // loaded: the task must notice the card is gone

        HttpResponse<String> delete = server.delete("/model/organs");

        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(delete)).isEmpty();
        List<String> names;
        try (Stream<Path> files = Files.list(folder)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).doesNotContain("model.json", "model.params");
        String stamp = "\\.\\d{8}_\\d{6}\\.deleted";
        assertThat(names).anyMatch(n -> n.matches("model\\.json" + stamp));
        String movedWeights =
                names.stream()
                        .filter(n -> n.matches("model\\.params" + stamp))
                        .findFirst()
                        .orElseThrow();
        assertThat(Files.readAllBytes(folder.resolve(movedWeights))).isEqualTo(weights);

        assertThat(TestServer.json(server.get("/model/organs")))
                .containsEntry("detail", "Model File NOT Found for organs");
        HttpResponse<byte[]> inferred = infer();
        assertThat(inferred.statusCode()).isEqualTo(409);
        assertThat((String) TestServer.json(inferred).get("detail")).contains("no trained weights");
        HttpResponse<String> again = server.delete("/model/organs");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(again))
                .containsEntry("detail", "Model File NOT Found for organs");
    }

    @Test
    void putAfterDeletePublishesTheNextVersionWithTheDeletedCard() throws Exception {
        assertThat(server.delete("/model/organs").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> put =
                server.multipart(
                        "PUT",
                        "/model/organs",
                        new SlicerMultipart().file("file", "organs.pt", otherWeights));

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(new ModelVersions(folder, 5).current()).contains(2);
        HttpResponse<byte[]> inferred = infer();
        assertThat(inferred.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(inferred)).containsEntry("model_version", 2L);
    }

    @Test
    void deleteOfAModelWithoutACardIs404() throws Exception {
        HttpResponse<String> response = server.delete("/model/threshold");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(response))
                .containsEntry("detail", "Model File NOT Found for threshold");
        assertThat(server.delete("/model/nope").statusCode()).isEqualTo(404);
    }

    private HttpResponse<byte[]> infer() throws IOException, InterruptedException {
        return server.multipart(
                "POST",
                "/infer/organs?image=img1&output=json",
                new SlicerMultipart().field("params", "{}"));
    }

    /** The parameter file of a freshly initialised network (different seeds, different bytes). */
    static byte[] weightsOf(UNetConfig config, int seed) throws IOException {
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(config);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            block.saveParameters(new DataOutputStream(bytes));
            return bytes.toByteArray();
        }
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
