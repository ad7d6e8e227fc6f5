package org.monailabel.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.MultipartParser;
import org.monailabel.testing.Poll;

/**
 * A real server on {@code 127.0.0.1:0} over a studies folder, with the test app, and a JDK {@link
 * HttpClient} to talk to it.
 */
final class TestServer implements AutoCloseable {
    final MonaiLabelServer server;
    final HttpClient client =
            HttpClient.newBuilder()
                    // generous: a loopback connect is instant, but a CI host running a training job
                    // on
                    // both cores has been seen to take over 10 s to let the client's selector run
                    .connectTimeout(Duration.ofSeconds(30))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
    final Path studies;
    final Path root;

    private TestServer(MonaiLabelServer server, Path studies, Path root) {
        this.server = server;
        this.studies = studies;
        this.root = root;
    }

    /** Starts a server over {@code root/studies} with the test app in {@code root/apps}. */
    static TestServer start(Path root, Consumer<ServerConfig.Builder> customize)
            throws IOException {
        Path studies = Files.createDirectories(root.resolve("studies"));
        Path apps = root.resolve("apps");
        if (!Files.exists(apps.resolve("testapp.jar"))) {
            TestApps.install(apps);
        }
        ServerConfig.Builder builder =
                ServerConfig.builder(studies)
                        .host("127.0.0.1")
                        .port(0)
                        .apps(List.of(apps))
                        .workDir(root.resolve("work"))
                        .watchStudies(false)
                        .watchApps(false)
                        .workerThreads(16)
                        .stopTimeout(Duration.ofSeconds(10));
        customize.accept(builder);
        return new TestServer(MonaiLabelServer.start(builder.build()), studies, root);
    }

    static TestServer start(Path root) throws IOException {
        return start(root, b -> {});
    }

    URI uri(String pathAndQuery) {
        return server.uri()
                .resolve(pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    HttpResponse<byte[]> getBytes(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .timeout(Duration.ofSeconds(60))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> postJson(String pathAndQuery, String json)
            throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).DELETE());
    }

    HttpResponse<String> send(HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return client.send(
                request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request with a Slicer-framed multipart body. */
    HttpResponse<byte[]> multipart(String method, String pathAndQuery, SlicerMultipart body)
            throws IOException, InterruptedException {
        return multipart(method, pathAndQuery, body, "");
    }

    /**
     * A request with a Slicer-framed multipart body and an {@code Authorization} header (none if
     * empty).
     */
    HttpResponse<byte[]> multipart(
            String method, String pathAndQuery, SlicerMultipart body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", body.contentType())
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** {@code POST /auth/token} as MONAI Label's clients send it (urlencoded password grant). */
    HttpResponse<String> signIn(String username, String password)
            throws IOException, InterruptedException {
        String form =
                "username="
                        + java.net.URLEncoder.encode(username, StandardCharsets.UTF_8)
                        + "&password="
                        + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)
                        + "&grant_type=password";
        return send(
                HttpRequest.newBuilder(uri("/auth/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /**
     * The {@code Authorization} header MONAI Label's clients send after signing in: {@code
     * "<token_type> <access_token>"} of the token reply.
     */
    String authorization(String username, String password)
            throws IOException, InterruptedException {
        HttpResponse<String> reply = signIn(username, password);
        if (reply.statusCode() != 200) {
            throw new AssertionError("sign-in of " + username + ": " + reply.body());
        }
        Map<String, Object> token = json(reply);
        return token.get("token_type") + " " + token.get("access_token");
    }

    /**
     * Waits until {@code GET /train/} says the latest training job is neither submitted nor
     * running, asking every 250 ms (a training server is busy: the test must not compete with it),
     * and returns that job's status.
     */
    String awaitTraining(Duration timeout) {
        String[] status = {null};
        Poll.until(
                "training to end",
                timeout,
                Duration.ofMillis(250),
                () -> {
                    try {
                        status[0] = (String) json(get("/train/")).get("status");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                    return !"RUNNING".equals(status[0]) && !"SUBMITTED".equals(status[0]);
                });
        return status[0];
    }

    static Map<String, Object> json(HttpResponse<?> response) {
        String text =
                response.body() instanceof byte[] b
                        ? new String(b, StandardCharsets.UTF_8)
                        : String.valueOf(response.body());
        return JsonTrees.toJavaMap(JsonTrees.parseObject(text));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    static Object jsonValue(HttpResponse<String> response) {
        return JsonTrees.toJava(JsonTrees.parse(response.body()));
    }

    /** Parses a multipart reply with the server's own parser (files land in {@code dir}). */
    static Form parseMultipart(HttpResponse<byte[]> response, Path dir) throws IOException {
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        Form form = Form.empty();
        new MultipartParser(
                        new ByteArrayInputStream(response.body()),
                        MultipartParser.boundaryOf(type),
                        Long.MAX_VALUE,
                        1 << 20,
                        dir)
                .parse(form);
        return form;
    }

    @Override
    public void close() {
        server.close();
    }
}
