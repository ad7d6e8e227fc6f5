package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.monailabel.engine.Authentication;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.http.support.Form;
import org.monailabel.testing.Poll;

/**
 * 3D Slicer's loop against a server started with {@code --users}, signed in as Slicer's module does
 * it: probe {@code /auth/}, find no valid token, sign in with the password grant, then send {@code
 * Authorization: <token_type> <access_token>} on every call: next sample, infer, submit a label,
 * training status; training itself needs an admin.
 */
class HttpSlicerSignedInTest {
    @TempDir static Path root;

    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (int i = 1; i <= 3; i++) {
            TestImages.write(TestImages.image(i), studies.resolve("CT chest " + i + ".nii.gz"));
        }
        Path users = root.resolve("users.json");
        Authentication.addUser(
                users, "annotator", "annotator", "annotate-1234".toCharArray(), "", "");
        Authentication.addUser(users, "boss", "admin", "boss-password".toCharArray(), "", "");
        Authentication.addUser(users, "viewer", "user", "viewer-password".toCharArray(), "", "");
        server = TestServer.start(root, b -> b.users(users));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String q(String s) {
        return HttpSlicerLoopTest.q(s);
    }

    HttpResponse<String> get(String path, String auth) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.uri(path));
        if (!auth.isEmpty()) {
            r.header("Authorization", auth);
        }
        return server.send(r);
    }

    HttpResponse<String> postJson(String path, String json, String auth) throws Exception {
        return server.send(
                HttpRequest.newBuilder(server.uri(path))
                        .header("Content-Type", "application/json")
                        .header("Authorization", auth)
                        .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void slicersLoopSignedInAsAnAnnotatorWithTrainingByAnAdmin() throws Exception {
        // before every action: is auth on? is the token valid? (none yet) -> sign in
        assertThat(TestServer.json(server.get("/auth/"))).containsEntry("enabled", true);
        assertThat(server.get("/auth/token/valid").statusCode()).isEqualTo(401);
        String auth = server.authorization("annotator", "annotate-1234");
        assertThat(auth).startsWith("bearer ey");
        assertThat(get("/auth/token/valid", auth).statusCode()).isEqualTo(200);

        // connect
        assertThat(TestServer.json(get("/info/", auth)).get("labels")).isEqualTo(List.of("organ"));
        assertThat(get("/train/?check_if_running=true", auth).statusCode()).isEqualTo(404);

        // next sample; SampleData's download sends no token: granted for that image, to this
        // client, for a while; any other image still needs a token
        Map<String, Object> sample =
                TestServer.json(
                        postJson("/activelearning/first", "{\"client_id\": \"user-xyz\"}", auth));
        String id = (String) sample.get("id");
        assertThat(id).isEqualTo("CT chest 1");
        assertThat(Path.of((String) sample.get("path"))).exists(); // Slicer loads this if it can
        HttpResponse<byte[]> download = server.getBytes("/datastore/image?image=" + q(id));
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body())
                .isEqualTo(Files.readAllBytes(Path.of((String) sample.get("path"))));
        assertThat(server.get("/datastore/image?image=" + q("CT chest 2")).statusCode())
                .isEqualTo(401);
        assertThat(server.get("/datastore/label?label=" + q(id) + "&tag=final").statusCode())
                .isEqualTo(401);

        // auto segmentation, untrained: empty
        assertThat(TestImages.dice(infer(id, auth), TestImages.truth(1))).isZero();

        // submit the label
        Path label = TestImages.write(TestImages.truth(1), root.resolve("truth1.nii.gz"));
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q(id),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"label_info\": [{\"name\": \"organ\", \"idx\": 1}],"
                                                + " \"client_id\": \"user-xyz\"}")
                                .file("label", "/tmp/slicer-monai-label/tmp1.nii.gz", label),
                        auth);
        assertThat(saved.statusCode())
                .as(new String(saved.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(server.server.datastore().labelFile(id, "final")).isPresent();

        // training status is for everyone; starting training is for admins
        assertThat(get("/train/", auth).statusCode()).isIn(200, 404);
        HttpBadInputTest.assertError(
                postJson("/train/threshold", "{\"max_epochs\": 2}", auth),
                403,
                "Role \"monailabel-admin\" is required");
        String admin = server.authorization("boss", "boss-password");
        HttpResponse<String> started =
                postJson("/train/threshold", "{\"max_epochs\": 2, \"client_id\": \"b\"}", admin);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        Poll.until(
                "training to end", Duration.ofSeconds(30), () -> "DONE".equals(trainStatus(auth)));

        // the next sample is segmented by the trained model
        Map<String, Object> next = TestServer.json(postJson("/activelearning/first", "{}", auth));
        assertThat(next.get("id")).isEqualTo("CT chest 2");
        assertThat(TestImages.dice(infer("CT chest 2", auth), TestImages.truth(2)))
                .isGreaterThan(0.95);
    }

    @Test
    void aUserMayInferButSavingALabelIsForbidden() throws Exception {
        String viewer = server.authorization("viewer", "viewer-password");
        assertThat(infer("CT chest 3", viewer).shape()).containsExactly(TestImages.SHAPE);
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q("CT chest 3"),
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file(
                                        "label",
                                        "/tmp/x/tmp3.nii.gz",
                                        TestImages.write(
                                                TestImages.truth(3),
                                                root.resolve("truth3.nii.gz"))),
                        viewer);
        HttpBadInputTest.assertError(saved, 403, "monailabel-annotator");
        assertThat(server.server.datastore().labelFile("CT chest 3", "final")).isEmpty();
    }

    private String trainStatus(String auth) {
        try {
            return (String) TestServer.json(get("/train/", auth)).get("status");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Volume infer(String id, String auth) throws Exception {
        HttpResponse<byte[]> reply =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=" + q(id),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"result_extension\": \".nrrd\", \"result_dtype\":"
                                                + " \"uint8\", \"client_id\": \"user-xyz\"}"),
                        auth);
        assertThat(reply.statusCode())
                .as(new String(reply.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        Path dir = Files.createTempDirectory(root, "reply");
        try (Form form = TestServer.parseMultipart(reply, dir)) {
            Path nrrd = dir.resolve("result.nrrd");
            Files.move(form.file("image").orElseThrow().file(), nrrd);
            return ImageIo.read(nrrd);
        }
    }
}
