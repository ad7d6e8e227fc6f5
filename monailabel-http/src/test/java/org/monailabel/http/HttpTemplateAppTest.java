package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.http.support.Form;

/**
 * The embedded default over HTTP: the real template app jar ({@code monailabel-app-template}, built
 * before this module) serving generated phantom studies. Its bundled UNet segments an organ study
 * usefully at once; a final label and a short fine-tuning run publish a new version that the next
 * request is served by, without a restart; epistemic scoring runs as a job over the three unlabeled
 * studies and the {@code epistemic} strategy then picks them by score, highest first.
 */
class HttpTemplateAppTest {
    static final Path TEMPLATE_JAR =
            Path.of("..", "monailabel-app-template", "target", "template.jar");

    @TempDir static Path root;

    static TestServer server;

    static List<String> ids;

    @BeforeAll
    static void start() throws IOException {
        assertThat(TEMPLATE_JAR)
                .as("the template app jar; build the whole project (./mvnw verify) first")
                .isRegularFile();
        Path apps = Files.createDirectories(root.resolve("template-apps"));
        Files.copy(TEMPLATE_JAR, apps.resolve("template.jar"));
        ids = SampleStudies.generate(Files.createDirectories(root.resolve("studies")), 5, 42);
        server = TestServer.start(root, b -> b.apps(List.of(apps))); // the template app alone
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void segmentsFineTunesAndScoresThePhantoms() throws Exception {
        Map<String, Object> info = TestServer.json(server.get("/info/"));
        Map<String, Object> models = TestServer.map(info.get("models"));
        assertThat(models).containsKey("segmentation");
        assertThat(TestServer.map(TestServer.map(models.get("segmentation")).get("labels")))
                .containsOnlyKeys(PhantomGenerator.LABELS.keySet());
        assertThat(TestServer.map(info.get("trainers"))).containsKey("segmentation");
        assertThat(TestServer.map(info.get("strategies")))
                .containsKeys("random", "first", "last", "epistemic", "tta");
        assertThat(TestServer.map(info.get("scoring")))
                .containsKeys("segmentation_epistemic", "segmentation_tta");

        // the bundled model, before any training: useful at once
        String first = ids.get(0);
        Map<String, Object> reply = new LinkedHashMap<>();
        Volume label = infer(first, reply);
        Volume truth =
                ImageIo.read(server.studies.resolve("ground_truth").resolve(first + ".nii.gz"));
        assertThat(label.shape()).isEqualTo(truth.shape());
        for (String organ : List.of("liver", "spleen")) {
            assertThat(dice(label, truth, PhantomGenerator.LABELS.get(organ)))
                    .as(organ)
                    .isGreaterThanOrEqualTo(0.7);
        }
        long bundledVersion = (Long) reply.get("model_version");

        // two studies corrected and saved as final labels, as Slicer does
        List<Map<String, Object>> labelInfo = new ArrayList<>();
        PhantomGenerator.LABELS.forEach(
                (name, idx) -> labelInfo.add(Map.of("name", name, "idx", idx)));
        for (String id : ids.subList(0, 2)) {
            HttpResponse<byte[]> saved =
                    server.multipart(
                            "PUT",
                            "/datastore/label?image=" + q(id),
                            new SlicerMultipart()
                                    .field(
                                            "params",
                                            "{\"label_info\": " + JsonTrees.toJson(labelInfo) + "}")
                                    .file(
                                            "label",
                                            "/tmp/slicer/" + id + "-label.nii.gz",
                                            server.studies
                                                    .resolve("ground_truth")
                                                    .resolve(id + ".nii.gz")));
            assertThat(saved.statusCode())
                    .as(new String(saved.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
        }

        // a short fine-tuning run publishes a new version; the next request is served by it
        HttpResponse<String> started =
                server.postJson(
                        "/train/segmentation",
                        "{\"max_epochs\": 1, \"crop_size\": 32, \"train_batch_size\": 2,"
                                + " \"num_samples\": 1, \"val_split\": 0.5}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(server.awaitTraining(Duration.ofMinutes(3))).isEqualTo("DONE");
        infer(ids.get(2), reply);
        assertThat((Long) reply.get("model_version")).isGreaterThan(bundledVersion);

        // epistemic scoring of the three unlabeled studies, then the strategy picks the one
        // with the highest score
        HttpResponse<String> scored =
                server.postJson(
                        "/scoring/segmentation_epistemic?run_sync=true",
                        "{\"simulation_size\": 2}");
        assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
        Map<String, Double> scores = new LinkedHashMap<>();
        for (String id : ids.subList(2, 5)) {
            Map<String, Object> imageInfo =
                    TestServer.json(server.get("/datastore/image/info?image=" + q(id)));
            assertThat(imageInfo).as(id).containsKey("epistemic_entropy");
            scores.put(id, ((Number) imageInfo.get("epistemic_entropy")).doubleValue());
        }
        assertThat(scores.values().stream().distinct().count())
                .as("distinct scores %s", scores)
                .isEqualTo(3);
        String highest =
                scores.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<String, Object> next =
                TestServer.json(server.postJson("/activelearning/epistemic", "{}"));
        assertThat(next.get("id")).as("scores %s", scores).isEqualTo(highest);
        // handed out: the next request gets the second highest
        String second =
                scores.entrySet().stream()
                        .filter(e -> !e.getKey().equals(highest))
                        .max(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
        Map<String, Object> after =
                TestServer.json(server.postJson("/activelearning/epistemic", "{}"));
        assertThat(after.get("id")).as("scores %s", scores).isEqualTo(second);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Slicer's infer call with {@code .nrrd}/{@code uint8}; the result JSON goes into {@code json}.
     */
    private static Volume infer(String id, Map<String, Object> json) throws Exception {
        HttpResponse<byte[]> reply =
                server.multipart(
                        "POST",
                        "/infer/segmentation?image=" + q(id),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"result_extension\": \".nrrd\", \"result_dtype\":"
                                                + " \"uint8\", \"client_id\": \"x\"}"));
        assertThat(reply.statusCode())
                .as(new String(reply.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        Path dir = Files.createTempDirectory(root, "reply");
        try (Form form = TestServer.parseMultipart(reply, dir)) {
            json.clear();
            json.putAll(
                    JsonTrees.toJavaMap(JsonTrees.parseObject(form.field("params").orElseThrow())));
            Path nrrd = dir.resolve("result.nrrd");
            Files.move(form.file("image").orElseThrow().file(), nrrd);
            return ImageIo.read(nrrd);
        }
    }

    static double dice(Volume predicted, Volume truth, int value) {
        long both = 0;
        long a = 0;
        long b = 0;
        for (long v = 0; v < truth.voxelCount(); v++) {
            boolean p = predicted.get(v) == value;
            boolean t = truth.get(v) == value;
            both += p && t ? 1 : 0;
            a += p ? 1 : 0;
            b += t ? 1 : 0;
        }
        return 2.0 * both / Math.max(1, a + b);
    }
}
