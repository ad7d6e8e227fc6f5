package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.testing.Poll;

/** The inference queue limit, graceful shutdown and the command line. */
class HttpServerLifecycleTest {
    @TempDir Path root;

    @Test
    void logsSurviveARestartAndEachTrainingRunKeepsItsOwnLog() throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("a.nii.gz"));
        String marker = "marker-" + java.util.UUID.randomUUID();
        try (TestServer server = TestServer.start(root)) {
            org.slf4j.LoggerFactory.getLogger(HttpServerLifecycleTest.class).info(marker);
            HttpResponse<byte[]> label =
                    server.multipart(
                            "PUT",
                            "/datastore/label?image=a",
                            new SlicerMultipart()
                                    .file(
                                            "label",
                                            "a.nii.gz",
                                            TestImages.write(
                                                    TestImages.truth(1),
                                                    root.resolve("label.nii.gz"))));
            assertThat(label.statusCode()).isEqualTo(200);
            assertThat(server.postJson("/train/threshold", "{\"max_epochs\": 2}").statusCode())
                    .isEqualTo(200);
            assertThat(server.awaitTraining(Duration.ofSeconds(60))).isEqualTo("DONE");
        }
        Path jobs = root.resolve("work/logs/jobs");
        List<Path> logs;
        try (var files = Files.list(jobs)) {
            logs = files.filter(f -> f.getFileName().toString().startsWith("train-")).toList();
        }
        assertThat(logs).hasSize(1);
        assertThat(Files.readString(logs.get(0))).contains("started").contains("finished");

        try (TestServer again = TestServer.start(root)) {
            HttpResponse<String> text = again.get("/logs/?lines=0&text=true");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.body()).as("a line from before the restart").contains(marker);
            assertThat(again.get("/logs/?lines=3&text=true").body().lines().count()).isEqualTo(3);
        }
        assertThat(root.resolve("work/logs/server.log")).isRegularFile();
    }

    @Test
    void aFullInferenceQueueIs503WithRetryAfter() throws Exception {
        TestImages.write(
                TestImages.image(1),
                Files.createDirectories(root.resolve("studies")).resolve("a.nii.gz"));
        try (TestServer server = TestServer.start(root, b -> b.inferThreads(1).inferQueue(0))) {
            CompletableFuture<HttpResponse<byte[]>> slow = holdTheOnlySlot(server, 1500);
            HttpResponse<byte[]> refused = call(server, 0);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(TestServer.json(refused).get("detail").toString()).contains("busy");
            assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(call(server, 0).statusCode()).isEqualTo(200);
        }
    }

    /**
     * Starts a slow request on a server with one inference slot and no queue, and returns once it
     * holds the slot (a probe is refused). A probe may take the slot first and get the slow request
     * refused: then it starts again.
     */
    private static CompletableFuture<HttpResponse<byte[]>> holdTheOnlySlot(
            TestServer server, int sleepMs) {
        while (true) {
            CompletableFuture<HttpResponse<byte[]>> slow =
                    CompletableFuture.supplyAsync(() -> call(server, sleepMs));
            Poll.until(
                    "the slow request to run or be refused",
                    Duration.ofSeconds(10),
                    () -> slow.isDone() || busy(server));
            if (!slow.isDone()) {
                return slow;
            }
            assertThat(slow.join().statusCode()).isEqualTo(503);
        }
    }

    private static boolean busy(TestServer server) {
        HttpResponse<byte[]> r = call(server, 0);
        return r.statusCode() == 503;
    }

    private static HttpResponse<byte[]> call(TestServer server, int sleepMs) {
        try {
            return server.multipart(
                    "POST",
                    "/infer/Histogram+GraphCut?image=a&output=json",
                    new SlicerMultipart().field("params", "{\"sleep_ms\": " + sleepMs + "}"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shutdownFinishesRequestsInFlightAndFlushesTheDatastore() throws Exception {
        TestImages.write(
                TestImages.image(1),
                Files.createDirectories(root.resolve("studies")).resolve("a.nii.gz"));
        TestServer server = TestServer.start(root, b -> b.inferThreads(1).inferQueue(0));
        byte[] label =
                Files.readAllBytes(TestImages.write(TestImages.truth(1), root.resolve("l.nii.gz")));
        assertThat(
                        server.multipart(
                                        "PUT",
                                        "/datastore/label?image=a",
                                        new SlicerMultipart()
                                                .field("params", "{}")
                                                .file("label", "/tmp/l.nii.gz", label))
                                .statusCode())
                .isEqualTo(200);
        CompletableFuture<HttpResponse<byte[]>> inFlight = holdTheOnlySlot(server, 1000);
        server.close();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // the datastore was closed (lock released) and its index names the label
        try (LocalDatastore reopened =
                LocalDatastore.open(
                        root.resolve("studies"),
                        LocalDatastore.Options.defaults().withWatch(false))) {
            assertThat(reopened.labeledImageIds("final")).containsExactly("a");
        }
    }

    @Test
    void commandLineHelpVersionAndErrors() throws Exception {
        assertThat(run("--version")).startsWith("0:").contains("monailabel ");
        assertThat(run("--help")).startsWith("0:").contains("start_server").contains("datasets");
        assertThat(run("start_server", "--help"))
                .startsWith("0:")
                .contains("--studies")
                .contains("--conf");
        String unknown = run("frobnicate");
        assertThat(unknown).startsWith("2:").contains("Unmatched argument");
        assertThat(unknown.lines().filter(l -> !l.isBlank()).count())
                .isEqualTo(2); // exit line + one error line
        assertThat(run("start_server", "--studies", "http://pacs/dicom-web?limit=1", "--port", "0"))
                .startsWith("1:")
                .contains("DICOMweb root");
        assertThat(
                        run(
                                "start_server",
                                "--studies",
                                root.toString(),
                                "--app",
                                root.resolve("missing.jar").toString(),
                                "--port",
                                "0"))
                .startsWith("1:")
                .contains("does not exist");
        assertThat(run("datasets", "--generate", "brains", "--output", root.toString()))
                .startsWith("1:")
                .contains("unknown dataset");
        assertThat(
                        run(
                                "datasets",
                                "--generate",
                                "phantom",
                                "--output",
                                root.resolve("ph").toString(),
                                "--count",
                                "1"))
                .startsWith("0:");
        assertThat(root.resolve("ph").resolve("phantom_000.nii.gz")).exists();
        assertThat(
                        run(
                                "datasets",
                                "--generate",
                                "phantom",
                                "--format",
                                "dicom",
                                "--output",
                                root.resolve("dcm").toString(),
                                "--count",
                                "1"))
                .startsWith("0:")
                .contains("Orthanc");
        assertThat(root.resolve("dcm/series/phantom_000/slice0000.dcm")).exists();
        assertThat(root.resolve("dcm/ground_truth/phantom_000_seg.dcm")).exists();
        assertThat(
                        run(
                                "datasets",
                                "--generate",
                                "phantom",
                                "--format",
                                "png",
                                "--output",
                                root.resolve("png").toString()))
                .startsWith("1:")
                .contains("unknown --format");
        Path apps = Files.createDirectories(root.resolve("apps"));
        TestApps.install(apps);
        assertThat(run("apps", "--app", apps.toString()))
                .startsWith("0:")
                .contains("testapp")
                .contains("model     threshold")
                .contains("strategy  first");
    }

    @Test
    void startUpProblemsAreOneLineAndANonZeroExit() throws Exception {
        Path apps = Files.createDirectories(root.resolve("apps"));
        TestApps.install(apps);
        String studies = root.resolve("studies").toString();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertOneErrorLine(
                    run(
                            "start_server",
                            "--studies",
                            studies,
                            "--app",
                            apps.toString(),
                            "--host",
                            "127.0.0.1",
                            "--port",
                            port),
                    "cannot listen on 127.0.0.1:" + port,
                    "--port");
        }
        Path file = Files.writeString(root.resolve("a-file"), "x");
        assertOneErrorLine(
                run(
                        "start_server",
                        "--studies",
                        file.resolve("studies").toString(),
                        "--app",
                        apps.toString(),
                        "--port",
                        "0"),
                "cannot create the studies folder",
                "Not a directory");
        assertOneErrorLine(
                run("start_server", "--studies", file.toString(), "--port", "0"),
                "is not a folder");
        assertOneErrorLine(
                run(
                        "start_server",
                        "--studies",
                        studies,
                        "--app",
                        root.resolve("gone.jar").toString(),
                        "--port",
                        "0"),
                "does not exist");
        String home = System.getProperty("monailabel.home");
        System.setProperty(
                "monailabel.home", Files.createDirectories(root.resolve("empty-home")).toString());
        try {
            assertOneErrorLine(
                    run("start_server", "--studies", studies, "--port", "0"),
                    "template app is missing",
                    "--app");
        } finally {
            if (home == null) {
                System.clearProperty("monailabel.home");
            } else {
                System.setProperty("monailabel.home", home);
            }
        }
    }

    private static void assertOneErrorLine(String output, String... contains) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(0)).as(output).isEqualTo("1:");
        List<String> printed =
                lines.subList(1, lines.size()).stream()
                        .filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ INFO .*"))
                        .toList(); // progress logs
        assertThat(printed).as(output).hasSize(1);
        assertThat(printed.get(0))
                .startsWith("monailabel: error: ")
                .contains(contains)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void theReadyBlockSaysWhereWhatAndWhetherAuthIsOn() throws Exception {
        try (TestServer t = TestServer.start(root, b -> b.rootPath("/monai"))) {
            String ready = Main.StartServer.ready(t.server);
            assertThat(ready)
                    .contains("is ready at " + t.server.uri().resolve("/monai/"))
                    .contains(
                            "studies    " + t.studies.toAbsolutePath().normalize() + " (0 images)")
                    .contains("models     threshold")
                    .contains("auth       off");
        }
    }

    /** Runs the command line; returns "exit:" followed by what it printed. */
    /** Runs the command line; its exit status, a colon, a new line, then what it printed. */
    static String run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = Main.run(args);
            return code + ":\n" + captured.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
