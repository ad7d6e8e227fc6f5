package org.monailabel.testing;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Orthanc PACS with its DICOMweb plugin, for tests: {@link #start} writes a configuration
 * into a folder of the test's (storage and index there, HTTP on a free loopback port, no DICOM
 * listener, remote access refused, optionally basic authentication with registered users), starts
 * {@value #EXECUTABLE} with its output in {@code orthanc.log} there and waits until {@code /system}
 * answers. {@link #stop()} and {@link #restart()} simulate the PACS going down and coming back on
 * the same port with the same storage. {@link #close()} kills it.
 *
 * <p>Without Orthanc (Debian's {@code orthanc} and {@code orthanc-dicomweb}), {@link
 * #assumeInstalled()} skips the calling test saying why, or fails it when the environment variable
 * {@code CI} is set (CI installs both, so a missing Orthanc there is a broken setup, not a reason
 * to skip).
 */
public final class Orthanc implements AutoCloseable {
    public static final String EXECUTABLE = "/usr/sbin/Orthanc";
    public static final String DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN = Duration.ofSeconds(15);

    private final Path dir;
    private final int port;
    private final Map<String, String> users;
    private final Path config;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
    private Process process;

    private Orthanc(Path dir, int port, Map<String, String> users) {
        this.dir = dir;
        this.port = port;
        this.users = Map.copyOf(users);
        this.config = dir.resolve("orthanc.json");
        this.log = dir.resolve("orthanc.log");
    }

    /**
     * Skips the calling test (an assumption, saying why) when Orthanc or its DICOMweb plugin is not
     * installed; fails it instead in CI ({@link Interop}).
     */
    public static void assumeInstalled() {
        String why = null;
        if (!Files.isExecutable(Path.of(EXECUTABLE))) {
            why = EXECUTABLE + " is not installed (Debian package orthanc)";
        } else if (!Files.isRegularFile(Path.of(DICOMWEB_PLUGIN))) {
            why = DICOMWEB_PLUGIN + " is not installed (Debian package orthanc-dicomweb)";
        }
        Interop.require("Orthanc (DICOMweb)", why);
    }

    /** Starts an Orthanc without authentication, keeping its files in {@code dir}. */
    public static Orthanc start(Path dir) throws IOException {
        return start(dir, Map.of());
    }

    /**
     * Starts an Orthanc keeping its files in {@code dir}; with users (name to password), HTTP basic
     * authentication is required and only they are accepted.
     */
    public static Orthanc start(Path dir, Map<String, String> users) throws IOException {
        assumeInstalled();
        Orthanc orthanc = new Orthanc(Files.createDirectories(dir), freePort(), users);
        orthanc.writeConfig();
        orthanc.launch();
        return orthanc;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void writeConfig() throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Name", "monailabel-test");
        c.put("StorageDirectory", dir.resolve("storage").toString());
        c.put("IndexDirectory", dir.resolve("index").toString());
        c.put("HttpPort", port);
        c.put("DicomServerEnabled", false);
        c.put("DicomPort", 0);
        c.put("RemoteAccessAllowed", false);
        c.put("AuthenticationEnabled", !users.isEmpty());
        c.put("RegisteredUsers", users);
        c.put("SaveJobs", false);
        c.put("Plugins", List.of(DICOMWEB_PLUGIN));
        c.put("DicomWeb", Map.of("Enable", true, "Root", "/dicom-web/", "EnableWado", false));
        Files.writeString(config, new GsonBuilder().setPrettyPrinting().create().toJson(c));
    }

    private void launch() throws IOException {
        process =
                new ProcessBuilder(EXECUTABLE, config.toString())
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "Orthanc exited with code "
                                + process.exitValue()
                                + " while starting; log tail:\n"
                                + logTail(30));
            }
            try {
                if (get("/system").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                stop();
                throw new AssertionError(
                        "Orthanc did not answer /system within "
                                + STARTUP.toSeconds()
                                + " s; log tail:\n"
                                + logTail(30));
            }
            sleep(100);
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .timeout(Duration.ofSeconds(5))
                        .GET();
        authorize(request);
        return send(request.build());
    }

    private void authorize(HttpRequest.Builder request) {
        if (!users.isEmpty()) {
            Map.Entry<String, String> user = users.entrySet().iterator().next();
            String token = user.getKey() + ":" + user.getValue();
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted talking to Orthanc");
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:<port>/dicom-web}, the DICOMweb root. */
    public String dicomWebUrl() {
        return baseUrl() + "/dicom-web";
    }

    public int port() {
        return port;
    }

    /**
     * Uploads a DICOM file through Orthanc's REST API ({@code POST /instances}, as the first
     * registered user when authentication is on); returns Orthanc's answer, failing the test unless
     * the instance was stored (or already was).
     */
    public JsonObject upload(Path dcm) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl() + "/instances"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/dicom")
                        .POST(HttpRequest.BodyPublishers.ofFile(dcm));
        authorize(request);
        HttpResponse<String> response = send(request.build());
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "Orthanc refused "
                            + dcm.getFileName()
                            + ": HTTP "
                            + response.statusCode()
                            + " "
                            + response.body()
                            + "\nlog tail:\n"
                            + logTail(10));
        }
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** Uploads every file given, in order. */
    public void uploadAll(List<Path> files) throws IOException {
        for (Path f : files) {
            upload(f);
        }
    }

    /** The number of instances Orthanc holds ({@code GET /instances}). */
    public int instanceCount() throws IOException {
        HttpResponse<String> response = get("/instances");
        JsonArray ids = JsonParser.parseString(response.body()).getAsJsonArray();
        return ids.size();
    }

    /** Whether the process is running. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Stops the process as a service stop would (SIGTERM, waiting for it to exit; Orthanc takes
     * about 2 s to close its HTTP server): the PACS goes down; its port and storage are kept for
     * {@link #restart}.
     */
    public void stop() {
        stop(false);
    }

    private void stop(boolean kill) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        if (kill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            if (!p.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the process again on the same port with the same storage (the PACS comes back). */
    public void restart() throws IOException {
        stop();
        launch();
    }

    /** The last lines of Orthanc's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Kills the process (SIGKILL) and waits for it to exit: the test is over and its storage is
     * discarded, so a graceful stop is not worth its 2 s.
     */
    @Override
    public void close() {
        stop(true);
    }

    @Override
    public String toString() {
        return "Orthanc at " + baseUrl() + " (" + Objects.toString(dir) + ")";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the polling interval while Orthanc starts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted waiting for Orthanc", e);
        }
    }
}
