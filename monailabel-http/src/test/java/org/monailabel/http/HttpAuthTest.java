package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.Authentication;

/**
 * Authentication with local users over HTTP (docs/rest-api.md §1.7), as MONAI Label's Python client
 * and Slicer's module do it: {@code GET /auth/}, the urlencoded password grant, {@code
 * Authorization: bearer <token>}, {@code GET /auth/token/valid}; what is refused and how.
 */
class HttpAuthTest {
    @TempDir static Path root;

    static Path users;
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        users = root.resolve("users.json");
        for (String role : List.of("user", "annotator", "reviewer", "admin")) {
            Authentication.addUser(
                    users,
                    role + "1",
                    role,
                    (role + "-password").toCharArray(),
                    role + "@example.org",
                    "The " + role);
        }
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("CT 1.nii.gz"));
        server = TestServer.start(root, b -> b.users(users));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    HttpResponse<String> get(String path, String authorization) throws Exception {
        return server.send(
                HttpRequest.newBuilder(server.uri(path)).header("Authorization", authorization));
    }

    @Test
    void authSaysItIsOnWithoutAToken() throws Exception {
        HttpResponse<String> reply = server.get("/auth/");
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(reply))
                .containsEntry("enabled", true)
                .containsEntry("client_id", "monailabel-app")
                .containsEntry("realm", "local");
    }

    @Test
    void thePythonClientsSignInGivesATokenThatNamesItsUser() throws Exception {
        HttpResponse<String> reply = server.signIn("annotator1", "annotator-password");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Cache-Control")).hasValue("no-store");
        Map<String, Object> token = TestServer.json(reply);
        assertThat(token).containsEntry("token_type", "bearer").containsEntry("expires_in", 3600L);
        assertThat((String) token.get("access_token")).startsWith("eyJ").contains(".");

        // update_auth: "<token_type> <access_token>"
        HttpResponse<String> valid =
                get("/auth/token/valid", "bearer " + token.get("access_token"));
        assertThat(valid.statusCode()).as(valid.body()).isEqualTo(200);
        assertThat(TestServer.json(valid))
                .containsEntry("username", "annotator1")
                .containsEntry("email", "annotator@example.org")
                .containsEntry("name", "The annotator")
                .containsEntry("roles", List.of("monailabel-annotator", "monailabel-user"));
        HttpResponse<String> info = get("/info/", "Bearer " + token.get("access_token"));
        assertThat(info.statusCode()).isEqualTo(200);
    }

    @Test
    void aMultipartSignInWorksToo() throws Exception {
        HttpResponse<byte[]> reply =
                server.multipart(
                        "POST",
                        "/auth/token",
                        new SlicerMultipart()
                                .field("username", "user1")
                                .field("password", "user-password"));
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(reply)).containsKey("access_token");
    }

    @Test
    void wrongOrMissingCredentialsAreRefusedWithJsonDetails() throws Exception {
        HttpResponse<String> wrong = server.signIn("admin1", "not-the-password");
        HttpBadInputTest.assertError(wrong, 401, "Incorrect username or password");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        HttpBadInputTest.assertError(
                server.signIn("nobody", "not-the-password"), 401, "Incorrect username or password");
        HttpBadInputTest.assertError(server.signIn("admin1", ""), 400, "required");
        HttpBadInputTest.assertError(
                server.send(
                        HttpRequest.newBuilder(server.uri("/auth/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "grant_type=client_credentials&client_id=x"))),
                400,
                "grant_type");
    }

    @Test
    void everyOtherEndpointNeedsAValidBearerToken() throws Exception {
        HttpResponse<String> none = server.get("/info/");
        HttpBadInputTest.assertError(none, 401, "Not authenticated");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        for (String bad :
                List.of(
                        "Bearer not-a-token",
                        "Bearer a.b.c",
                        "Basic YWRtaW4xOmFkbWluLXBhc3N3b3Jk",
                        "Bearer")) {
            HttpResponse<String> reply = get("/info/", bad);
            assertThat(reply.statusCode()).as(bad).isEqualTo(401);
            assertThat(reply.headers().firstValue("WWW-Authenticate")).as(bad).hasValue("Bearer");
            assertThat(TestServer.json(reply)).containsKey("detail");
        }
        HttpBadInputTest.assertError(
                get("/auth/token/valid", "Bearer a.b.c"), 401, "Could not validate credentials");
        HttpBadInputTest.assertError(server.get("/auth/token/valid"), 401, "Not authenticated");
        // the home page, the API description and the docs stay open
        for (String open :
                List.of("/", "/docs", "/openapi.json", "/docs/swagger-ui/swagger-ui.css")) {
            assertThat(server.get(open).statusCode()).as(open).isEqualTo(200);
        }
    }

    @Test
    void aUserMayReadAndInferButNotSaveALabel() throws Exception {
        String user = server.authorization("user1", "user-password");
        assertThat(get("/datastore/?output=all", user).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + HttpSlicerLoopTest.q("CT 1"),
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file(
                                        "label",
                                        "/tmp/x/tmp1.nii.gz",
                                        TestImages.write(
                                                TestImages.truth(1),
                                                root.resolve("truth1.nii.gz"))),
                        user);
        HttpBadInputTest.assertError(
                saved, 403, "Role \"monailabel-annotator\" is required to perform this action");
        assertThat(server.server.datastore().labelFile("CT 1", "final")).isEmpty();
    }

    @Test
    void aRemovedUsersTokenIsRefusedAtOnce() throws Exception {
        Authentication.addUser(users, "temp1", "admin", "temp-password".toCharArray(), "", "");
        String temp = server.authorization("temp1", "temp-password");
        assertThat(get("/logs/?text=true", temp).statusCode()).isEqualTo(200);
        Authentication.removeUser(users, "temp1");
        HttpBadInputTest.assertError(get("/logs/?text=true", temp), 401, "no such user");
    }

    @Test
    void repeatedWrongPasswordsLockTheNameOutWithRetryAfter() throws Exception {
        Authentication.addUser(users, "guessed", "user", "guessed-password".toCharArray(), "", "");
        for (int i = 0; i < 5; i++) {
            assertThat(server.signIn("guessed", "guess-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = server.signIn("guessed", "guessed-password");
        HttpBadInputTest.assertError(locked, 429, "Too many failed sign-ins");
        assertThat(locked.headers().firstValue("Retry-After")).hasValue("1");
    }
}
