package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.testing.Poll;

/** Training, scoring and batch jobs, sessions, and the rest of the datastore family. */
class HttpJobsAndDatastoreTest {
    @TempDir static Path root;

    static TestServer server;
    static byte[] label;

    @BeforeAll
    static void start() throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (int i = 1; i <= 3; i++) {
            TestImages.write(TestImages.image(i), studies.resolve("img" + i + ".nii.gz"));
        }
        server = TestServer.start(root);
        label =
                Files.readAllBytes(
                        TestImages.write(TestImages.truth(1), root.resolve("label.nii.gz")));
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=img1",
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"label_info\": [{\"name\": \"organ\", \"idx\": 1}]}")
                                .file("label", "/tmp/l.nii.gz", label));
        assertThat(saved.statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void trainingIsOneAtATimeEnqueuesOnRequestAndStopsAtASafePoint() throws Exception {
        HttpResponse<String> first =
                server.postJson("/train/threshold", "{\"max_epochs\": 1000, \"epoch_ms\": 20}");
        assertThat(first.statusCode()).isEqualTo(200);
        String firstId = (String) TestServer.json(first).get("id");
        HttpResponse<String> refused = server.postJson("/train/threshold", "{}");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(TestServer.json(refused).get("detail").toString()).contains("Already Running");
        HttpResponse<String> queued =
                server.postJson("/train/threshold?enqueue=true", "{\"max_epochs\": 1}");
        assertThat(queued.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(queued)).containsEntry("status", "SUBMITTED");
        Poll.until(
                "training to run",
                Duration.ofSeconds(10),
                () -> code("/train/?check_if_running=true") == 200);

        HttpResponse<String> stopped = server.delete("/train/");
        Map<String, Object> task = TestServer.json(stopped);
        assertThat(task)
                .containsEntry("id", firstId)
                .containsEntry("status", "STOPPED")
                .containsKey("end_ts");
        assertThat((List<?>) task.get("details")).isNotEmpty();
        // the queued job then runs and finishes
        Poll.until(
                "queued job to finish",
                Duration.ofSeconds(20),
                () -> {
                    try {
                        return "DONE".equals(TestServer.json(server.get("/train/")).get("status"));
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
        Object all = TestServer.jsonValue(server.get("/train/?all=true"));
        assertThat((List<?>) all).hasSize(2);
        HttpResponse<String> idle = server.delete("/train/");
        assertThat(idle.statusCode()).isEqualTo(200);
        assertThat(idle.body()).isEqualTo("null");
    }

    @Test
    void runSyncWaitsAndAnswersTheTrainersResult() throws Exception {
        HttpResponse<String> other =
                server.postJson(
                        "/train/threshold?run_sync=true&enqueue=true", "{\"max_epochs\": 1}");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(other)).containsKey("threshold");
    }

    @Test
    void scoringAndBatchInferenceRunAsJobs() throws Exception {
        HttpResponse<String> scored = server.postJson("/scoring/count?run_sync=true", "{}");
        assertThat(TestServer.json(scored)).containsEntry("scored", 3L);
        assertThat(server.server.datastore().imageInfo("img2")).containsKey("count_score");
        assertThat(TestServer.json(server.get("/scoring/"))).containsEntry("status", "DONE");

        HttpResponse<String> batch =
                server.postJson(
                        "/batch/infer/threshold?images=unlabeled&run_sync=true",
                        "{\"label_tag\": \"batch\"}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(TestServer.json(batch)).containsOnlyKeys("img2", "img3");
        assertThat(server.server.datastore().labeledImageIds("batch"))
                .containsExactly("img2", "img3");
        assertThat(server.server.datastore().labelInfo("img2", "batch").orElseThrow())
                .containsEntry("model", "threshold");
        assertThat(TestServer.json(server.get("/batch/infer"))).containsEntry("status", "DONE");
    }

    @Test
    void sessionsHoldAnImageToInferOn() throws Exception {
        byte[] image = Files.readAllBytes(server.studies.resolve("img3.nii.gz"));
        HttpResponse<byte[]> created =
                server.multipart(
                        "PUT",
                        "/session/",
                        new SlicerMultipart()
                                .field("client_id", "user-xyz")
                                .file("files", "/tmp/slicer/tmp1.nii.gz", image));
        assertThat(created.statusCode())
                .as(new String(created.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        String id = (String) TestServer.json(created).get("session_id");
        assertThat(TestServer.map(TestServer.json(created).get("session_info")))
                .containsEntry("expiry", 3600L);
        assertThat(TestServer.json(server.get("/session/" + id))).containsEntry("name", id);
        assertThat(server.getBytes("/session/" + id + "?image=true").body()).isEqualTo(image);

        HttpResponse<byte[]> inferred =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=local+volume&session_id=" + id + "&output=json",
                        new SlicerMultipart().field("params", "{}"));
        assertThat(inferred.statusCode())
                .as(new String(inferred.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(TestServer.json(inferred)).containsKey("label_names");

        assertThat(TestServer.json(server.delete("/session/" + id))).containsEntry("name", id);
        assertThat(server.get("/session/" + id).statusCode()).isEqualTo(404);
        assertThat(server.delete("/session/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void inferenceOnAnUploadedFileAndSaveLabel() throws Exception {
        byte[] image = Files.readAllBytes(server.studies.resolve("img2.nii.gz"));
        HttpResponse<byte[]> reply =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=img2&output=image",
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"result_extension\": \".nii.gz\", \"save_label\": true, "
                                                + "\"label_tag\": \"auto\"}"));
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Disposition").orElseThrow())
                .endsWith(".nii.gz\"");
        assertThat(server.server.datastore().labelFile("img2", "auto")).isPresent();
        HttpResponse<byte[]> fromFile =
                server.multipart(
                        "POST",
                        "/infer/threshold?output=json",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file("file", "D:\\scans\\local.nii.gz", image));
        assertThat(fromFile.statusCode()).isEqualTo(200);
    }

    @Test
    void uploadsInfoChecksumsRemovalAndDataset() throws Exception {
        byte[] image = Files.readAllBytes(server.studies.resolve("img1.nii.gz"));
        HttpResponse<byte[]> up =
                server.multipart(
                        "PUT",
                        "/datastore/?image=" + "CT+new+1",
                        new SlicerMultipart()
                                .field("params", "{\"client_id\": \"user-xyz\"}")
                                .file("file", "/tmp/slicer/tmpq.nii.gz", image));
        assertThat(TestServer.json(up)).containsEntry("image", "CT new 1");
        assertThat(server.studies.resolve("CT new 1.nii.gz")).exists();
        HttpResponse<byte[]> up2 =
                server.multipart(
                        "PUT",
                        "/datastore/image",
                        new SlicerMultipart()
                                .quPath()
                                .file("file", "C:\\x\\1.2.840.5.nii.gz", image));
        assertThat(TestServer.json(up2)).containsEntry("image", "1.2.840.5");

        Map<String, Object> info =
                TestServer.json(server.get("/datastore/image/info?image=CT+new+1"));
        assertThat(info)
                .containsEntry("client_id", "user-xyz")
                .containsEntry("name", "CT new 1.nii.gz")
                .containsKey("ts")
                .containsKey("path");
        HttpResponse<String> merged =
                server.send(
                        HttpRequest.newBuilder(server.uri("/datastore/image/info?image=CT+new+1"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "info=%7B%22reviewed%22%3A+true%7D")));
        assertThat(merged.statusCode()).isEqualTo(200);
        assertThat(merged.body()).isEqualTo("null");
        assertThat(server.server.datastore().imageInfo("CT new 1"))
                .containsEntry("reviewed", true)
                .containsEntry("client_id", "user-xyz");
        assertThat(TestServer.json(server.get("/datastore/image/info?image=unknown"))).isEmpty();

        String sha = DatastoreDigest.sha256(image);
        HttpResponse<String> head =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/image?image=CT+new+1"
                                                        + "&check_sum=SHA256:"
                                                        + sha))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(image.length));
        assertThat(
                        server.send(
                                        HttpRequest.newBuilder(
                                                        server.uri(
                                                                "/datastore/image?image=CT+new+1&check_sum="
                                                                        + sha))
                                                .method(
                                                        "HEAD",
                                                        HttpRequest.BodyPublishers.noBody()))
                                .statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> labelDownload =
                server.getBytes("/datastore/label?label=img1&tag=final");
        assertThat(labelDownload.body()).isEqualTo(label);
        assertThat(labelDownload.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"img1.nii.gz\"");
        assertThat(TestServer.json(server.get("/datastore/label/info?label=img1&tag=final")))
                .containsKey("label_info");
        HttpResponse<String> legacy =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/updatelabelinfo?label=img1&tag=final"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "params=%7B%22v%22%3A2%7D")));
        assertThat(legacy.statusCode()).isEqualTo(200);
        assertThat(server.server.datastore().labelInfo("img1", "final").orElseThrow())
                .containsEntry("v", 2L)
                .containsKey("label_info");

        Object train = TestServer.jsonValue(server.get("/datastore/?output=train"));
        assertThat((List<?>) train).hasSize(1);
        HttpResponse<byte[]> zip = server.getBytes("/datastore/dataset");
        assertThat(zip.headers().firstValue("Content-Type")).hasValue("application/zip");
        List<String> entries = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.add(e.getName());
            }
        }
        assertThat(entries)
                .containsExactly("image/img1.nii.gz", "label/img1.nii.gz", "metadata.json");

        assertThat(TestServer.json(server.delete("/datastore/image?id=1.2.840.5"))).isEmpty();
        assertThat(TestServer.json(server.delete("/datastore/?id=CT+new+1"))).isEmpty();
        assertThat(server.studies.resolve("CT new 1.nii.gz")).doesNotExist();
        assertThat(server.server.datastore().hasImage("CT new 1")).isFalse();
        assertThat(server.delete("/datastore/?id=CT+new+1").statusCode()).isEqualTo(404);
    }

    @Test
    void logsShowRecentLines() throws Exception {
        HttpResponse<String> text = server.get("/logs/?lines=50&text=true");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("text/plain");
        assertThat(text.body()).contains("monailabel");
        assertThat(server.get("/logs/").body()).startsWith("<!DOCTYPE html>");
    }

    private static int code(String path) {
        try {
            return server.get(path).statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** SHA-256 hex of bytes. */
    static final class DatastoreDigest {
        static String sha256(byte[] bytes) throws Exception {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
    }
}
