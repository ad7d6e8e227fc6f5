package org.monailabel.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Owns the {@link TestServer} of a test class. Registered with {@code @RegisterExtension}, it makes
 * a fresh folder, lets the test class prepare it ({@link #prepare}: studies, apps, models, whatever
 * must exist before the server starts), starts a {@link TestServer} over it with the class's
 * options ({@link #configure}) and, afterwards, closes the server and deletes the folder, also when
 * the test, the preparation or the start failed.
 *
 * <p>On an instance field each test gets its own folder and server, started before the class's
 * {@code @BeforeEach} methods and closed after its {@code @AfterEach} methods. On a static field
 * (or an instance field with {@code @TestInstance(PER_CLASS)}) the class shares one, started before
 * its {@code @BeforeAll} methods and closed after its {@code @AfterAll} methods.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestServerExtension server = TestServerExtension.create()
 *         .prepare(root -> TestImages.write(TestImages.image(1),
 *                 Files.createDirectories(root.resolve("studies")).resolve("img1.nii.gz")))
 *         .configure(b -> b.rootPath("/monai"));
 *
 * @Test
 * void info() throws Exception {
 *     assertThat(server.get("/monai/info/").statusCode()).isEqualTo(200);
 * }
 * }</pre>
 *
 * The request helpers ({@link #get}, {@link #multipart}...) are the running {@link TestServer}'s;
 * {@link #server()} is the server itself.
 */
final class TestServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Writes what the server should find in its folder when it starts. */
    @FunctionalInterface
    interface Preparation {
        /**
         * @param root the server's folder; {@code root/studies} is its studies folder, {@code
         *     root/apps} (where the test app is installed unless it holds a {@code testapp.jar})
         *     its apps folder and {@code root/work} its work folder
         */
        void prepare(Path root) throws Exception;
    }

    private final Preparation preparation;
    private final Consumer<ServerConfig.Builder> customizer;

    /** Whether the server lives from before all tests to after all (set by {@link #beforeAll}). */
    private boolean perClass;

    private Path root;
    private TestServer server;

    private TestServerExtension(
            Preparation preparation, Consumer<ServerConfig.Builder> customizer) {
        this.preparation = Objects.requireNonNull(preparation, "preparation");
        this.customizer = Objects.requireNonNull(customizer, "customizer");
    }

    /**
     * A server over an empty studies folder with the test app and {@link TestServer}'s default
     * options.
     */
    static TestServerExtension create() {
        return new TestServerExtension(root -> {}, builder -> {});
    }

    /** This extension with another preparation of the server's folder (run before each start). */
    TestServerExtension prepare(Preparation newPreparation) {
        return new TestServerExtension(newPreparation, customizer);
    }

    /** This extension with other server options, applied after {@link TestServer}'s defaults. */
    TestServerExtension configure(Consumer<ServerConfig.Builder> newCustomizer) {
        return new TestServerExtension(preparation, newCustomizer);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (perClass) {
            stop();
        }
    }

    private void start() throws Exception {
        root = Files.createTempDirectory("monailabel-http-test-");
        preparation.prepare(root);
        server = TestServer.start(root, customizer);
    }

    /**
     * Closes the server (if it started) and deletes its folder; JUnit calls it even when a start
     * failed.
     */
    private void stop() throws IOException {
        TestServer running = server;
        Path folder = root;
        server = null;
        root = null;
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            if (folder != null) {
                deleteTree(folder);
            }
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    /** The running server. */
    TestServer server() {
        if (server == null) {
            throw new IllegalStateException(
                    "The test server runs only while a test (or, registered statically, "
                            + "the test class) runs");
        }
        return server;
    }

    /** The running server's folder (see {@link Preparation#prepare}). */
    Path root() {
        server();
        return root;
    }

    URI uri(String pathAndQuery) {
        return server().uri(pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return server().get(pathAndQuery);
    }

    HttpResponse<byte[]> getBytes(String pathAndQuery) throws IOException, InterruptedException {
        return server().getBytes(pathAndQuery);
    }

    HttpResponse<String> postJson(String pathAndQuery, String json)
            throws IOException, InterruptedException {
        return server().postJson(pathAndQuery, json);
    }

    HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
        return server().delete(pathAndQuery);
    }

    HttpResponse<String> send(HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return server().send(request);
    }

    HttpResponse<byte[]> multipart(String method, String pathAndQuery, SlicerMultipart body)
            throws IOException, InterruptedException {
        return server().multipart(method, pathAndQuery, body);
    }
}
