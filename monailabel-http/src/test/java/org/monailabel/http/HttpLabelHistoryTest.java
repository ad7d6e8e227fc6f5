package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.Checksums;

/**
 * Label history over HTTP (docs/rest-api.md §4.3, §4.4, §4.11): ETags, conditional saves, old
 * versions, history across a restart, and reviews stored as the Slicer Reviewer reads them.
 */
class HttpLabelHistoryTest {
    @TempDir static Path root;

    static TestServer server;
    static final byte[][] LABELS = new byte[4][];

    @BeforeAll
    static void start() throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (String id : List.of("etag", "stale", "versions", "review", "create")) {
            TestImages.write(TestImages.image(1), studies.resolve(id + ".nii.gz"));
        }
        for (int i = 0; i < LABELS.length; i++) {
            LABELS[i] =
                    Files.readAllBytes(
                            TestImages.write(
                                    TestImages.truth(i + 1),
                                    root.resolve("label" + i + ".nii.gz")));
        }
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** {@code PUT /datastore/label} with Slicer's framing and optional headers. */
    static HttpResponse<String> save(
            TestServer server, String image, String tag, byte[] label, String... headers)
            throws IOException, InterruptedException {
        SlicerMultipart body =
                new SlicerMultipart()
                        .field("params", "{\"client_id\": \"user-xyz\"}")
                        .file("label", "/tmp/slicer-monai-label/tmp1.nii.gz", label);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(
                                server.uri("/datastore/label?image=" + image + "&tag=" + tag))
                        .header("Content-Type", body.contentType())
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return server.send(request);
    }

    static HttpResponse<byte[]> download(TestServer server, String query, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(server.uri("/datastore/label?" + query))
                        .timeout(Duration.ofSeconds(60))
                        .GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return server.client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static List<Map<String, Object>> history(TestServer server, String image, String tag)
            throws IOException, InterruptedException {
        return history(server, image, tag, "");
    }

    /** The history, read with this Authorization header ({@code ""}: none). */
    static List<Map<String, Object>> history(
            TestServer server, String image, String tag, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(
                                server.uri(
                                        "/datastore/label/history?label=" + image + "&tag=" + tag))
                        .GET();
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = server.send(request);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> versions =
                (List<Map<String, Object>>) TestServer.jsonValue(response);
        return versions;
    }

    static String etag(HttpResponse<?> response) {
        return response.headers().firstValue("ETag").orElseThrow();
    }

    @Test
    void aDownloadCarriesTheETagOfItsVersionAndIfNoneMatchAnswers304() throws Exception {
        HttpResponse<String> saved = save(server, "etag", "final", LABELS[0]);
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(TestServer.json(saved))
                .containsEntry("image", "etag")
                .containsEntry("label", "etag")
                .containsEntry("version", 1L);
        String etag = etag(saved);
        assertThat(etag).matches("\"1-[0-9a-f]{16}\"");

        HttpResponse<byte[]> got = download(server, "label=etag&tag=final");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(etag(got)).isEqualTo(etag);
        assertThat(got.body()).isEqualTo(LABELS[0]);
        assertThat(got.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"etag.nii.gz\"");

        HttpResponse<byte[]> notModified =
                download(server, "label=etag&tag=final", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(etag(notModified)).isEqualTo(etag);
        assertThat(download(server, "label=etag", "If-None-Match", "W/" + etag).statusCode())
                .as("weak comparison on GET")
                .isEqualTo(304);
        assertThat(download(server, "label=etag", "If-None-Match", "\"0-x\", " + etag).statusCode())
                .isEqualTo(304);
        assertThat(download(server, "label=etag", "If-None-Match", "\"0-x\"").statusCode())
                .isEqualTo(200);

        HttpResponse<String> head =
                server.send(
                        HttpRequest.newBuilder(server.uri("/datastore/label?image=etag&tag=final"))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(etag(head)).isEqualTo(etag);

        HttpResponse<String> again = save(server, "etag", "final", LABELS[1]);
        assertThat(download(server, "label=etag", "If-None-Match", etag).statusCode())
                .as("a new version is sent to a client holding the old one")
                .isEqualTo(200);
        assertThat(etag(again)).isNotEqualTo(etag).startsWith("\"2-");
    }

    @Test
    void aStaleIfMatchIs409NamingWhoSavedSinceWhenAndTheCurrentETag() throws Exception {
        String v1 = etag(save(server, "stale", "final", LABELS[0]));
        HttpResponse<String> v2 = save(server, "stale", "final", LABELS[1], "If-Match", v1);
        assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);
        String v3 = etag(save(server, "stale", "final", LABELS[2], "If-Match", etag(v2)));

        HttpResponse<String> refused = save(server, "stale", "final", LABELS[3], "If-Match", v1);
        assertThat(refused.statusCode()).isEqualTo(409);
        String detail = (String) TestServer.json(refused).get("detail");
        String savedAt = (String) history(server, "stale", "final").get(2).get("time");
        assertThat(detail)
                .contains("Label 'stale' (tag 'final') changed since version 1")
                .contains("2 changes")
                .contains("'anonymous' at " + savedAt)
                .contains("current ETag " + v3);
        assertThat(history(server, "stale", "final")).hasSize(3);
        assertThat(download(server, "label=stale").body()).isEqualTo(LABELS[2]);

        HttpResponse<String> unknown =
                save(server, "stale", "final", LABELS[3], "If-Match", "\"7-0000000000000000\"");
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(unknown).get("detail").toString())
                .contains("no version with the ETag")
                .contains("current ETag " + v3);

        assertThat(save(server, "stale", "final", LABELS[3], "If-Match", "*").statusCode())
                .isEqualTo(200);
        // without If-Match: MONAI Label's last write wins, and the replaced label stays
        assertThat(save(server, "stale", "final", LABELS[0]).statusCode()).isEqualTo(200);
        List<Map<String, Object>> versions = history(server, "stale", "final");
        assertThat(versions).extracting(v -> v.get("version")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(versions.get(4)).containsEntry("replaced", 4L);
        assertThat(download(server, "label=stale&version=4").body()).isEqualTo(LABELS[3]);

        HttpResponse<String> malformed = save(server, "stale", "final", LABELS[0], "If-Match", "5");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(malformed).get("detail").toString()).contains("If-Match");
    }

    @Test
    void ifNoneMatchStarCreatesOnlyAndAConditionalRemovalNeedsTheCurrentVersion() throws Exception {
        HttpResponse<String> created =
                save(server, "create", "final", LABELS[0], "If-None-Match", "*");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        HttpResponse<String> again =
                save(server, "create", "final", LABELS[1], "If-None-Match", "*");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(again).get("detail").toString())
                .contains("already exists")
                .contains("current ETag " + etag(created));

        HttpResponse<String> staleRemoval =
                server.send(
                        HttpRequest.newBuilder(server.uri("/datastore/label?id=create&tag=final"))
                                .header("If-Match", "\"9-0000000000000000\"")
                                .DELETE());
        assertThat(staleRemoval.statusCode()).isEqualTo(409);
        HttpResponse<String> removal =
                server.send(
                        HttpRequest.newBuilder(server.uri("/datastore/label?id=create&tag=final"))
                                .header("If-Match", etag(created))
                                .DELETE());
        assertThat(removal.statusCode()).isEqualTo(200);
        HttpResponse<String> gone =
                save(server, "create", "final", LABELS[2], "If-Match", etag(created));
        assertThat(gone.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(gone).get("detail").toString())
                .contains("was removed by 'anonymous'");
    }

    @Test
    void theHistoryListsEveryVersionAndEachOldVersionCanBeRead() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(save(server, "versions", "final", LABELS[i]).statusCode()).isEqualTo(200);
        }
        assertThat(server.delete("/datastore/label?id=versions&tag=final").statusCode())
                .isEqualTo(200);

        List<Map<String, Object>> versions = history(server, "versions", "final");
        assertThat(versions)
                .extracting(v -> v.get("action"))
                .containsExactly("saved", "saved", "saved", "removed");
        Map<String, Object> second = versions.get(1);
        assertThat(second)
                .containsEntry("version", 2L)
                .containsEntry("replaced", 1L)
                .containsEntry("user", "anonymous")
                .containsEntry("client_id", "user-xyz")
                .containsEntry("address", "127.0.0.1")
                .containsEntry("size", (long) LABELS[1].length)
                .containsEntry("name", "versions.nii.gz")
                .containsEntry("current", false)
                .containsKeys("time", "ts", "sha256", "etag");
        assertThat(versions.get(0)).containsEntry("replaced", null);
        assertThat(versions.get(3)).containsEntry("replaced", 3L).doesNotContainKey("etag");

        assertThat(download(server, "label=versions&tag=final").statusCode()).isEqualTo(404);
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> old =
                    download(server, "label=versions&tag=final&version=" + (i + 1));
            assertThat(old.statusCode()).isEqualTo(200);
            assertThat(old.body()).isEqualTo(LABELS[i]);
            assertThat(etag(old)).isEqualTo(versions.get(i).get("etag"));
            assertThat(versions.get(i).get("sha256"))
                    .isEqualTo(
                            Checksums.hex(
                                    Files.write(root.resolve("check" + i), LABELS[i]), "SHA-256"));
        }
        assertThat(download(server, "label=versions&version=4").statusCode()).isEqualTo(404);
        assertThat(download(server, "label=versions&version=9").statusCode()).isEqualTo(404);
        assertThat(download(server, "label=versions&version=x").statusCode()).isEqualTo(400);
        assertThat(history(server, "versions", "original")).isEmpty();
        assertThat(server.get("/datastore/label/history?label=nope").statusCode()).isEqualTo(404);
    }

    @Test
    void theHistoryAndItsETagsSurviveARestart(@TempDir Path own) throws Exception {
        Path studies = Files.createDirectories(own.resolve("studies"));
        TestImages.write(TestImages.image(2), studies.resolve("kept.nii.gz"));
        String v2;
        List<Map<String, Object>> before;
        try (TestServer first = TestServer.start(own)) {
            save(first, "kept", "final", LABELS[0]);
            v2 = etag(save(first, "kept", "final", LABELS[1]));
            before = history(first, "kept", "final");
        }
        try (TestServer second = TestServer.start(own)) {
            assertThat(history(second, "kept", "final")).isEqualTo(before);
            assertThat(download(second, "label=kept&version=1").body()).isEqualTo(LABELS[0]);
            assertThat(etag(download(second, "label=kept"))).isEqualTo(v2);
            HttpResponse<String> v3 = save(second, "kept", "final", LABELS[2], "If-Match", v2);
            assertThat(v3.statusCode()).as(v3.body()).isEqualTo(200);
            assertThat(TestServer.json(v3)).containsEntry("version", 3L);
        }
        assertThat(studies.resolve(".monailabel-history/history.jsonl")).isRegularFile();
    }

    @Test
    void reviewsAreStoredAsTheSlicerReviewerReadsAndWritesThem() throws Exception {
        String finalTag = etag(save(server, "review", "final", LABELS[0]));
        save(server, "review", "version_1", LABELS[1]);

        HttpResponse<String> approved =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/label/review?label=review&tag=version_1"))
                                .header("Content-Type", "application/json")
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"state\": \"approved\", \"comment\": \"clean\","
                                                        + " \"level\": \"hard\", \"reviewer\":"
                                                        + " \"dr-who\"}")));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(TestServer.json(approved))
                .containsEntry("state", "approved")
                .containsEntry("version", 1L);

        // what the Reviewer's JsonParser reads: labels.<tag>.info.segmentationMeta, all five keys
        Map<String, Object> meta = meta("version_1");
        assertThat(meta)
                .containsOnlyKeys("status", "approvedBy", "level", "comment", "editTime")
                .containsEntry("status", "approved")
                .containsEntry("approvedBy", "dr-who")
                .containsEntry("level", "hard")
                .containsEntry("comment", "clean");
        assertThat(meta.get("editTime")).isInstanceOf(Long.class);

        // approving another version clears this one's approval and gives it the level, as the
        // Reviewer's updateApprovedStatusOfOtherThanSubjectedVersion does; form fields work too
        HttpResponse<String> approveFinal =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/label/review?label=review&tag=final"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("If-Match", finalTag)
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "state=approved&level=easy&comment=better")));
        assertThat(approveFinal.statusCode()).as(approveFinal.body()).isEqualTo(200);
        assertThat(meta("final"))
                .containsEntry("status", "approved")
                .containsEntry("approvedBy", "anonymous");
        assertThat(meta("version_1")).containsEntry("status", "").containsEntry("level", "easy");

        // the Reviewer's own write (PUT /datastore/updatelabelinfo, url-encoded params) is read
        // back by the review route's vocabulary: flagged is rejected
        String reviewerParams =
                "{\"segmentationMeta\": {\"status\": \"flagged\", \"approvedBy\": \"dr-who\","
                        + " \"level\": \"medium\", \"comment\": \"redo\", \"editTime\":"
                        + " 1733740000}}";
        HttpResponse<String> updated =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/updatelabelinfo?label=review&tag=final"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "params="
                                                        + java.net.URLEncoder.encode(
                                                                reviewerParams,
                                                                java.nio.charset.StandardCharsets
                                                                        .UTF_8))));
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(meta("final")).containsEntry("status", "flagged");

        HttpResponse<String> rejected = review("final", "{\"state\": \"rejected\"}");
        assertThat(TestServer.json(rejected)).containsEntry("state", "rejected");
        assertThat(meta("final"))
                .containsEntry("status", "flagged")
                .containsEntry("level", "medium")
                .containsEntry("comment", "");
        assertThat(TestServer.json(review("final", "{\"state\": \"pending\"}")))
                .containsEntry("state", "pending");
        assertThat(meta("final")).containsEntry("status", "");

        // a review of a version saved over meanwhile is refused
        save(server, "review", "final", LABELS[2]);
        HttpResponse<String> stale =
                server.send(
                        HttpRequest.newBuilder(
                                        server.uri(
                                                "/datastore/label/review?label=review&tag=final"))
                                .header("If-Match", finalTag)
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"state\": \"approved\"}")));
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(review("final", "{\"state\": \"great\"}").statusCode()).isEqualTo(400);
        assertThat(review("final", "{\"comment\": \"no state\"}").statusCode()).isEqualTo(400);
        assertThat(
                        review("final", "{\"state\": \"approved\", \"level\": \"extreme\"}")
                                .statusCode())
                .isEqualTo(400);
        assertThat(review("nope", "{\"state\": \"approved\"}").statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> review(String tag, String json)
            throws IOException, InterruptedException {
        return server.send(
                HttpRequest.newBuilder(
                                server.uri("/datastore/label/review?label=review&tag=" + tag))
                        .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static Map<String, Object> meta(String tag) throws Exception {
        Map<String, Object> all = TestServer.json(server.get("/datastore/?output=all"));
        Map<String, Object> labels =
                TestServer.map(
                        TestServer.map(TestServer.map(all.get("objects")).get("review"))
                                .get("labels"));
        return TestServer.map(
                TestServer.map(TestServer.map(labels.get(tag)).get("info"))
                        .get("segmentationMeta"));
    }
}
