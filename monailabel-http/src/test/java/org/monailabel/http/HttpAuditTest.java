package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.AuditLog;
import org.monailabel.testing.Poll;

/** The audit log ({@code <workDir>/audit/audit.log}): one line per state change. */
class HttpAuditTest {
    @TempDir Path root;

    @Test
    void everyChangeIsOneAuditLineWithWhoWhatWhenAndWhere() throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("img1.nii.gz"));
        TestImages.write(TestImages.image(3), studies.resolve("img3.nii.gz"));
        byte[] image =
                Files.readAllBytes(TestImages.write(TestImages.image(2), root.resolve("i.nii.gz")));
        byte[] label =
                Files.readAllBytes(TestImages.write(TestImages.truth(2), root.resolve("l.nii.gz")));
        Instant before = Instant.now().minusSeconds(1);
        try (TestServer server = TestServer.start(root)) {
            ok(HttpLabelHistoryTest.save(server, "img1", "final", label).statusCode()); // to train
            ok(
                    server.multipart(
                                    "PUT",
                                    "/datastore/?image=img2",
                                    new SlicerMultipart()
                                            .field("params", "{\"client_id\": \"user-xyz\"}")
                                            .file("file", "/tmp/x.nii.gz", image))
                            .statusCode());
            ok(form(server, "/datastore/image/info?image=img2", "info={\"reviewed\":true}"));
            ok(HttpLabelHistoryTest.save(server, "img2", "final", label).statusCode());
            ok(form(server, "/datastore/label/info?label=img2&tag=final", "info={\"k\":1}"));
            ok(
                    server.send(
                                    HttpRequest.newBuilder(
                                                    server.uri(
                                                            "/datastore/label/review?label=img2"))
                                            .PUT(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "{\"state\": \"approved\", \"comment\":"
                                                                    + " \"ok\"}")))
                            .statusCode());
            ok(
                    server.postJson("/activelearning/first", "{\"client_id\": \"user-xyz\"}")
                            .statusCode());
            ok(server.delete("/datastore/label?id=img2&tag=final").statusCode());
            ok(server.delete("/datastore/image?id=img2").statusCode());
            ok(
                    server.postJson("/train/threshold", "{\"max_epochs\": 1000, \"epoch_ms\": 20}")
                            .statusCode());
            Poll.until(
                    "training to run",
                    Duration.ofSeconds(20),
                    () -> {
                        try {
                            return server.get("/train/?check_if_running=true").statusCode() == 200;
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
            ok(server.delete("/train/").statusCode());
        }
        List<Map<String, Object>> events = AuditLog.read(root.resolve("work/audit"));
        assertThat(events)
                .extracting(e -> e.get("action"))
                .containsExactly(
                        "label.saved",
                        "image.added",
                        "image.info_updated",
                        "label.saved",
                        "label.info_updated",
                        "label.reviewed",
                        "sample.handed_out",
                        "label.removed",
                        "image.removed",
                        "train.started",
                        "train.stopped");
        events = events.subList(1, events.size());
        for (Map<String, Object> e : events) {
            assertThat(e).containsEntry("user", "anonymous").containsEntry("address", "127.0.0.1");
            assertThat(Instant.parse((String) e.get("time"))).isAfter(before);
        }
        assertThat(events.get(0)).containsEntry("image", "img2").containsEntry("replaced", false);
        assertThat(events.get(1)).containsEntry("keys", List.of("reviewed"));
        assertThat(events.get(2))
                .containsEntry("image", "img2")
                .containsEntry("tag", "final")
                .containsEntry("version", 1L)
                .containsEntry("client_id", "user-xyz")
                .containsEntry("size", (long) label.length)
                .containsKey("sha256");
        assertThat(events.get(3)).containsEntry("version", 1L).containsEntry("keys", List.of("k"));
        assertThat(events.get(4))
                .containsEntry("state", "approved")
                .containsEntry("comment", "ok")
                .containsEntry("version", 1L);
        assertThat(events.get(5))
                .containsEntry("image", "img3")
                .containsEntry("strategy", "first")
                .containsEntry("client_id", "user-xyz")
                .containsKey("lease_until");
        assertThat(events.get(6)).containsEntry("tag", "final").containsEntry("version", 2L);
        assertThat(events.get(7)).containsEntry("image", "img2").containsEntry("labels", List.of());
        assertThat(events.get(8)).containsEntry("name", "threshold").containsKey("job");
        assertThat(events.get(9).get("job")).isEqualTo(events.get(8).get("job"));
    }

    private static void ok(int status) {
        assertThat(status).isEqualTo(200);
    }

    private static int form(TestServer server, String path, String body) throws Exception {
        return server.send(
                        HttpRequest.newBuilder(server.uri(path))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .PUT(HttpRequest.BodyPublishers.ofString(body)))
                .statusCode();
    }
}
