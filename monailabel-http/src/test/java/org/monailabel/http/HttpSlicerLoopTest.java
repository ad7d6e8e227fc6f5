package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.support.Form;
import org.monailabel.testing.Poll;

/**
 * 3D Slicer's annotation loop (docs/rest-api.md §13) over HTTP, framed as Slicer's client frames
 * it: connect, next sample, download, auto-segment with {@code .nrrd}/{@code uint8}, submit a final
 * label with {@code label_info}, train, poll, and segment again with the trained model, which must
 * now be right where it was empty before.
 */
class HttpSlicerLoopTest {
    @TempDir static Path root;

    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (int i = 1; i <= 4; i++) {
            TestImages.write(TestImages.image(i), studies.resolve("CT chest " + i + ".nii.gz"));
        }
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8); // Python's quote_plus
    }

    @Test
    void playsSlicersLoopAndTheTrainedModelImproves() throws Exception {
        // 1. Connect: auth probe, info, training monitor probe
        assertThat(TestServer.json(server.get("/auth/"))).containsEntry("enabled", false);
        HttpResponse<String> info = server.get("/info/");
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Object> infoJson = TestServer.json(info);
        assertThat(infoJson).doesNotContainKey("config");
        assertThat(infoJson.get("labels")).isEqualTo(List.of("organ"));
        assertThat(TestServer.map(infoJson.get("models")))
                .containsKeys("threshold", "Histogram+GraphCut");
        assertThat(
                        ((Map<?, ?>) (TestServer.map(infoJson.get("models"))).get("threshold"))
                                .get("type"))
                .isEqualTo("segmentation");
        assertThat(TestServer.map(infoJson.get("trainers"))).containsKey("threshold");
        assertThat(TestServer.map(infoJson.get("strategies"))).containsKey("first");
        assertThat(server.get("/train/?check_if_running=true").statusCode()).isEqualTo(404);

        // 2. Next sample, then download it as SampleData does (no extra headers)
        Map<String, Object> sample =
                TestServer.json(
                        server.postJson("/activelearning/first", "{\"client_id\": \"user-xyz\"}"));
        String id = (String) sample.get("id");
        assertThat(id).isEqualTo("CT chest 1");
        assertThat(sample).containsEntry("name", "CT chest 1.nii.gz");
        assertThat(Path.of((String) sample.get("path"))).isAbsolute().exists();
        HttpResponse<byte[]> image = server.getBytes("/datastore/image?image=" + q(id));
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename*=utf-8''CT%20chest%201.nii.gz");
        assertThat(image.body())
                .isEqualTo(Files.readAllBytes(server.studies.resolve("CT chest 1.nii.gz")));
        Map<String, Object> all = TestServer.json(server.get("/datastore/?output=all"));
        assertThat(TestServer.map(all.get("objects"))).containsKey(id);

        // 3-4. Auto segmentation with the untrained model: an empty label on the input's grid
        Volume before = infer(id);
        assertThat(before.shape()).containsExactly(TestImages.SHAPE);
        assertThat(TestImages.dice(before, TestImages.truth(1))).isZero();

        // 6. Submit the corrected label (Slicer's temp file path as the file name), no tag -> final
        Path label = TestImages.write(TestImages.truth(1), root.resolve("truth1.nii.gz"));
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q(id),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"label_info\": [{\"name\": \"organ\", \"idx\": 1}],"
                                                + " \"model\": \"threshold\", \"client_id\":"
                                                + " \"user-xyz\"}")
                                .file(
                                        "label",
                                        "/tmp/slicer-monai-label/tmpab12cd34.nii.gz",
                                        label));
        assertThat(saved.statusCode())
                .as(new String(saved.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(TestServer.json(saved)).containsEntry("image", id).containsEntry("label", id);
        Map<?, ?> stats = (Map<?, ?>) TestServer.json(server.get("/info/")).get("datastore");
        assertThat(stats.get("completed")).isEqualTo(1L);
        assertThat(server.server.datastore().labelInfo(id, "final").orElseThrow())
                .containsEntry("label_info", List.of(Map.of("name", "organ", "idx", 1L)));
        // a second label from a Windows machine
        Path label2 = TestImages.write(TestImages.truth(2), root.resolve("truth2.nii.gz"));
        HttpResponse<byte[]> saved2 =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q("CT chest 2"),
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file(
                                        "label",
                                        "C:\\Users\\x\\AppData\\Local\\Temp\\slicer\\tmp99.nii.gz",
                                        label2));
        assertThat(saved2.statusCode()).isEqualTo(200);
        assertThat(
                        server.server
                                .datastore()
                                .labelFile("CT chest 2", "final")
                                .orElseThrow()
                                .getFileName())
                .hasToString("CT chest 2.nii.gz");

        // 7. Train, watch it run, poll until done
        HttpResponse<String> started =
                server.postJson(
                        "/train/threshold",
                        "{\"max_epochs\": 5, \"epoch_ms\": 100, \"client_id\": \"user-xyz\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(TestServer.json(started).get("status")).isIn("SUBMITTED", "RUNNING");
        Poll.until(
                "training to run",
                Duration.ofSeconds(10),
                () -> status("/train/?check_if_running=true") == 200);
        Poll.until(
                "training to end",
                Duration.ofSeconds(20),
                () -> "DONE".equals(latestTrainStatus()));
        assertThat(server.get("/train/?check_if_running=true").statusCode()).isEqualTo(404);
        Map<?, ?> trainStats =
                (Map<?, ?>)
                        ((Map<?, ?>) TestServer.json(server.get("/info/")).get("train_stats"))
                                .get("threshold");
        assertThat(trainStats.get("epoch")).isEqualTo(5L);
        assertThat(trainStats.get("total_epochs")).isEqualTo(5L);

        // 2 again and 4 with the new model: the next unlabeled image is now segmented well
        Map<String, Object> next = TestServer.json(server.postJson("/activelearning/first", "{}"));
        assertThat(next.get("id")).isEqualTo("CT chest 3");
        Volume after = infer("CT chest 3");
        assertThat(TestImages.dice(after, TestImages.truth(3))).isGreaterThan(0.95);
    }

    private static int status(String path) {
        try {
            return server.get(path).statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String latestTrainStatus() {
        try {
            return (String) TestServer.json(server.get("/train/")).get("status");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Slicer's infer call; checks the reply's framing (docs/rest-api.md §6.4) and returns the
     * label.
     */
    private static Volume infer(String id) throws Exception {
        HttpResponse<byte[]> reply =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=" + q(id),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"device\": \"cpu\", \"result_extension\": \".nrrd\","
                                                + " \"result_dtype\": \"uint8\", \"client_id\":"
                                                + " \"user-xyz\"}"));
        assertThat(reply.statusCode())
                .as(new String(reply.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(reply.body().length));
        assertThat(reply.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(reply.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(reply.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("multipart/form-data; boundary=");
        String text = new String(reply.body(), StandardCharsets.ISO_8859_1);
        int paramsAt = text.indexOf("Content-Disposition: form-data; name=\"params\"\r\n");
        int imageAt = text.indexOf("Content-Disposition: form-data; name=\"image\"; filename=\"");
        assertThat(paramsAt).isNotNegative().isLessThan(imageAt);
        Path dir = Files.createTempDirectory(root, "reply");
        try (Form form = TestServer.parseMultipart(reply, dir)) {
            Map<String, Object> params =
                    JsonTrees.toJavaMap(JsonTrees.parseObject(form.field("params").orElseThrow()));
            assertThat(params)
                    .containsEntry("label_names", Map.of("organ", 1L))
                    .containsKey("latencies")
                    .containsEntry("client_id", "user-xyz");
            Form.FilePart file = form.file("image").orElseThrow();
            assertThat(file.clientName())
                    .endsWith(".nrrd")
                    .doesNotContain("/")
                    .doesNotContain("\\");
            Path nrrd = dir.resolve("result.nrrd");
            Files.move(file.file(), nrrd);
            assertThat(new String(Files.readAllBytes(nrrd), 0, 8, StandardCharsets.ISO_8859_1))
                    .startsWith("NRRD000");
            Volume label = ImageIo.read(nrrd);
            assertThat(label.type().name()).isEqualTo("UINT8");
            return label;
        }
    }

    @Test
    void pathSegmentsKeepPlusAndQueriesDecodePlusAsSpace() throws Exception {
        Path scribbles = TestImages.write(TestImages.truth(4), root.resolve("scribbles.nii.gz"));
        for (String path :
                List.of(
                        "/infer/Histogram%2BGraphCut?image=CT+chest+4",
                        "/infer/Histogram+GraphCut?image=CT%20chest%204")) {
            HttpResponse<byte[]> reply =
                    server.multipart(
                            "POST",
                            path + "&output=image",
                            new SlicerMultipart()
                                    .field("params", "{}")
                                    .file("label", "/tmp/x/scribbles.nii.gz", scribbles));
            assertThat(reply.statusCode())
                    .as(path + ": " + new String(reply.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(reply.body()).isEqualTo(Files.readAllBytes(scribbles));
            assertThat(reply.headers().firstValue("Content-Disposition").orElseThrow())
                    .matches("attachment; filename=\"echo\\.nii\\.gz\"");
        }
    }

    @Test
    void servesBehindAPathPrefixAndBothSlashSpellings() throws Exception {
        for (String path :
                List.of(
                        "/info/",
                        "/info",
                        "/datastore/?output=stats",
                        "/datastore?output=stats",
                        "/train/?all=true",
                        "/logs/?text=true&lines=5")) {
            int code = server.get(path).statusCode();
            assertThat(code).as(path).isIn(200, 404);
            if (!path.startsWith("/train")) {
                assertThat(code).as(path).isEqualTo(200);
            }
        }
        HttpResponse<String> home = server.get("/");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("MONAILabel");
    }

    @Test
    void answersCorsPreflightEchoingTheOrigin() throws Exception {
        HttpResponse<String> preflight =
                server.send(
                        HttpRequest.newBuilder(server.uri("/infer/threshold"))
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                                .header("Origin", "http://ohif.example:3000")
                                .header("Access-Control-Request-Method", "POST")
                                .header("Access-Control-Request-Headers", "content-type"));
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("http://ohif.example:3000");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                .hasValue("true");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
                .contains("POST");
        HttpResponse<String> info =
                server.send(
                        HttpRequest.newBuilder(server.uri("/info/"))
                                .header("Origin", "http://ohif.example:3000"));
        assertThat(info.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("http://ohif.example:3000");
    }
}
