package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions (docs/rest-api.md §7) survive a server restart. */
class HttpSessionRestartTest {
    @TempDir Path root;

    @Test
    void aSessionCreatedBeforeARestartIsServedAndUsableAfterIt() throws Exception {
        Files.createDirectories(root.resolve("studies"));
        byte[] volume =
                Files.readAllBytes(TestImages.write(TestImages.image(3), root.resolve("v.nii.gz")));
        String id;
        Map<String, Object> info;
        try (TestServer server = TestServer.start(root)) {
            HttpResponse<byte[]> created =
                    server.multipart(
                            "PUT",
                            "/session/",
                            new SlicerMultipart()
                                    .field("client_id", "user-xyz")
                                    .file("files", "/tmp/slicer/tmp1.nii.gz", volume));
            assertThat(created.statusCode()).isEqualTo(200);
            id = (String) TestServer.json(created).get("session_id");
            info = TestServer.map(TestServer.json(created).get("session_info"));
        }
        try (TestServer server = TestServer.start(root)) {
            HttpResponse<String> got = server.get("/session/" + id);
            assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
            assertThat(TestServer.json(got)).isEqualTo(info);
            assertThat(server.getBytes("/session/" + id + "?image=true").body()).isEqualTo(volume);
            HttpResponse<byte[]> inferred =
                    server.multipart(
                            "POST",
                            "/infer/threshold?image=local&session_id=" + id + "&output=json",
                            new SlicerMultipart().field("params", "{}"));
            assertThat(inferred.statusCode()).isEqualTo(200);
            assertThat(server.delete("/session/" + id).statusCode()).isEqualTo(200);
        }
        try (TestServer server = TestServer.start(root)) {
            assertThat(server.get("/session/" + id).statusCode()).isEqualTo(404);
        }
    }
}
