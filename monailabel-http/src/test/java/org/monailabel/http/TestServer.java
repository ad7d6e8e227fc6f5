package org.monailabel.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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

/**
 * A real server on {@code 127.0.0.1:0} over a studies folder, with the test app, and a JDK {@link
 * HttpClient} to talk to it.
 */
final class TestServer implements AutoCloseable {
    final MonaiLabelServer server;
    final HttpClient client =
            HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
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
        HttpRequest request =
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", body.contentType())
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                        .build();
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
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
