package org.monailabel.engine.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;

/**
 * {@link DicomWebClient} against the JDK's HTTP server answering what a PACS could, including what
 * Orthanc does not do: refusing to transcode, 503 with {@code Retry-After}, a quoted boundary, an
 * answer cut short. Checks what goes over the wire (Accept, Authorization) and that no message
 * shows the credentials.
 */
class DicomWebClientHttpTest {
    private static final String STUDY = "1.2.3";
    private static final String SERIES = "1.2.3.4";

    /** One request the server received. */
    record Received(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : v.get(0);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange, Received request) throws IOException;
    }

    @TempDir Path dir;
    HttpServer server;
    volatile Handler handler;
    final List<Received> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        Received r =
                                new Received(
                                        exchange.getRequestMethod(),
                                        exchange.getRequestURI().toString(),
                                        Map.copyOf(exchange.getRequestHeaders()),
                                        exchange.getRequestBody().readAllBytes());
                        received.add(r);
                        handler.handle(exchange, r);
                    }
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/pacs/dicom-web";
    }

    private DicomWebClient client(DicomWebCredentials credentials) {
        return new DicomWebClient(url(), credentials, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().add("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] multipart(String boundary, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(
                    ("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void asksForExplicitVrLittleEndianAndFallsBackToTheStoredSyntaxWhenRefused()
            throws IOException {
        byte[] first = "first instance".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "second; --not a boundary".getBytes(StandardCharsets.US_ASCII);
        handler =
                (exchange, r) -> {
                    String accept = r.header("Accept");
                    if (accept.contains("transfer-syntax=1.2.840.10008.1.2.1")) {
                        answer(exchange, 406, "text/plain", "no transcoding here".getBytes());
                    } else {
                        answer(
                                exchange,
                                200,
                                "multipart/related; type=\"application/dicom\"; boundary=\"b: 1\"",
                                r.uri().contains("/instances/")
                                        ? multipart("b: 1", first)
                                        : multipart("b: 1", first, second));
                    }
                };
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            List<Path> files = client.retrieveSeries(STUDY, SERIES, dir.resolve("a"));
            assertThat(files).hasSize(2);
            assertThat(Files.readAllBytes(files.get(0))).isEqualTo(first);
            assertThat(Files.readAllBytes(files.get(1))).isEqualTo(second);
            assertThat(received).hasSize(2);
            assertThat(received.get(0).uri())
                    .isEqualTo("/pacs/dicom-web/studies/" + STUDY + "/series/" + SERIES);
            assertThat(received.get(0).header("Accept"))
                    .isEqualTo(
                            "multipart/related; type=\"application/dicom\";"
                                    + " transfer-syntax=1.2.840.10008.1.2.1");
            assertThat(received.get(1).header("Accept")).endsWith("transfer-syntax=*");

            // the refusal is remembered: the next retrieval asks for the stored syntax at once
            received.clear();
            Path one = client.retrieveInstance(STUDY, SERIES, "1.2.3.4.5", dir.resolve("one.dcm"));
            assertThat(Files.readAllBytes(one)).isEqualTo(first);
            assertThat(received).hasSize(1);
            assertThat(received.get(0).header("Accept")).endsWith("transfer-syntax=*");
        }
    }

    @Test
    void anAnswerCutShortOrNotMultipartIsRefused() {
        handler =
                (exchange, r) -> {
                    byte[] whole = multipart("zz", "abcdef".getBytes());
                    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 8);
                    answer(exchange, 200, "multipart/related; boundary=zz", cut);
                };
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            assertThatThrownBy(() -> client.retrieveSeries(STUDY, SERIES, dir))
                    .isInstanceOf(DicomWebException.class)
                    .hasMessageContaining("truncated")
                    .hasMessageContaining(url());
            handler = (exchange, r) -> answer(exchange, 200, "application/json", "[]".getBytes());
            assertThatThrownBy(() -> client.retrieveSeries(STUDY, SERIES, dir))
                    .isInstanceOf(DicomWebException.class)
                    .hasMessageContaining("expected a multipart response");
        }
    }

    @Test
    void mapsStatusesToExceptions() {
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            handler =
                    (exchange, r) -> {
                        exchange.getResponseHeaders().add("Retry-After", "7");
                        answer(exchange, 503, "text/plain", "maintenance".getBytes());
                    };
            assertThatThrownBy(() -> client.searchSeries(Map.of()))
                    .isInstanceOf(DicomWebUnavailableException.class)
                    .isInstanceOf(BusyException.class)
                    .hasMessageContaining("HTTP 503")
                    .hasMessageContaining("maintenance")
                    .satisfies(
                            e -> {
                                DicomWebUnavailableException u = (DicomWebUnavailableException) e;
                                assertThat(u.retryAfterSeconds()).isEqualTo(7);
                                assertThat(u.status()).isEqualTo(503);
                            });

            handler = (exchange, r) -> answer(exchange, 500, null, new byte[0]);
            assertThatThrownBy(() -> client.searchStudies(Map.of()))
                    .isInstanceOf(DicomWebUnavailableException.class)
                    .satisfies(
                            e ->
                                    assertThat(((BusyException) e).retryAfterSeconds())
                                            .isEqualTo(
                                                    DicomWebUnavailableException
                                                            .DEFAULT_RETRY_AFTER_SECONDS));

            handler = (exchange, r) -> answer(exchange, 404, "text/plain", "gone".getBytes());
            assertThatThrownBy(() -> client.searchInstances(STUDY, SERIES))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("/studies/1.2.3/series/1.2.3.4/instances");

            handler =
                    (exchange, r) ->
                            answer(
                                    exchange,
                                    400,
                                    "application/json",
                                    "{\"Details\":\"bad query\"}".getBytes());
            assertThatThrownBy(() -> client.searchSeries(Map.of("Modality", "CT")))
                    .isInstanceOf(DicomWebException.class)
                    .hasMessageContaining("HTTP 400")
                    .hasMessageContaining("bad query")
                    .satisfies(
                            e -> {
                                assertThat(((DicomWebException) e).status()).isEqualTo(400);
                                assertThat(((DicomWebException) e).bodyExcerpt())
                                        .contains("bad query");
                            });

            handler =
                    (exchange, r) ->
                            answer(exchange, 200, "application/dicom+json", "{}".getBytes());
            assertThatThrownBy(() -> client.searchSeries(Map.of()))
                    .isInstanceOf(DicomWebException.class)
                    .hasMessageContaining("array");

            assertThatThrownBy(() -> client.searchInstances("1.2/../x", SERIES))
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void sendsCredentialsButNeverShowsThem() {
        handler = (exchange, r) -> answer(exchange, 401, "text/plain", "who are you".getBytes());
        String withUserInfo = url().replace("http://", "http://alice:pa%3Ass@");
        try (DicomWebClient client =
                new DicomWebClient(
                        withUserInfo,
                        DicomWebCredentials.none(),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5))) {
            assertThat(client.describe()).isEqualTo(url());
            assertThat(client.toString()).doesNotContain("alice").doesNotContain("pa%3Ass");
            assertThatThrownBy(() -> client.searchSeries(Map.of()))
                    .isInstanceOf(DicomWebAuthenticationException.class)
                    .hasMessageContaining("authentication failed")
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining(url())
                    .hasMessageNotContaining("pa:ss")
                    .hasMessageNotContaining("alice");
            assertThat(received.get(0).header("Authorization"))
                    .isEqualTo(
                            "Basic "
                                    + java.util.Base64.getEncoder()
                                            .encodeToString("alice:pa:ss".getBytes()));
        }
        handler = (exchange, r) -> answer(exchange, 403, null, new byte[0]);
        received.clear();
        try (DicomWebClient client = client(DicomWebCredentials.bearer("tok3n"))) {
            assertThatThrownBy(() -> client.searchStudies(Map.of("PatientID", "P 1")))
                    .isInstanceOf(DicomWebAuthenticationException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageNotContaining("tok3n");
            assertThat(received.get(0).header("Authorization")).isEqualTo("Bearer tok3n");
            assertThat(received.get(0).uri()).endsWith("/studies?PatientID=P%201");
        }
    }

    @Test
    void sendsIncludefieldsOneByOne() throws IOException {
        handler =
                (exchange, r) ->
                        answer(
                                exchange,
                                200,
                                "application/dicom+json",
                                "[{\"0020000E\":{\"vr\":\"UI\",\"Value\":[\"1.2\"]}}]".getBytes());
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            List<DicomJson> series =
                    client.searchSeries(Map.of("includefield", "0020000D,00201209"));
            assertThat(series.get(0).string(0x0020000E)).contains("1.2");
            assertThat(received.get(0).uri())
                    .endsWith("/series?includefield=0020000D&includefield=00201209");
            assertThat(received.get(0).header("Accept")).startsWith("application/dicom+json");
        }
    }

    @Test
    void storesInstancesAsOneMultipartBodyAndReportsFailedOnes() throws IOException {
        byte[] a = "instance A".getBytes(StandardCharsets.US_ASCII);
        Path b =
                Files.write(dir.resolve("b.dcm"), "instance B".getBytes(StandardCharsets.US_ASCII));
        String failed =
                "{\"00081198\":{\"vr\":\"SQ\",\"Value\":[{"
                        + "\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},"
                        + "\"00081155\":{\"vr\":\"UI\",\"Value\":[\"9.8.7\"]},"
                        + "\"00081197\":{\"vr\":\"US\",\"Value\":[42752]}}]},"
                        + "\"00081199\":{\"vr\":\"SQ\",\"Value\":[{"
                        + "\"00081155\":{\"vr\":\"UI\",\"Value\":[\"9.8.6\"]}}]}}";
        String stored =
                "{\"00081199\":{\"vr\":\"SQ\",\"Value\":[{"
                        + "\"00081155\":{\"vr\":\"UI\",\"Value\":[\"9.8.6\"]}}]}}";
        handler =
                (exchange, r) -> answer(exchange, 409, "application/dicom+json", failed.getBytes());
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            assertThatThrownBy(() -> client.storeBytes(STUDY, List.of(a)))
                    .isInstanceOf(DicomWebStoreException.class)
                    .hasMessageContaining("did not store 1 of 1")
                    .hasMessageContaining("9.8.7: out of resources (0xA700)")
                    .satisfies(
                            e ->
                                    assertThat(((DicomWebStoreException) e).result().stored())
                                            .containsExactly("9.8.6"));

            handler =
                    (exchange, r) ->
                            answer(exchange, 200, "application/dicom+json", stored.getBytes());
            received.clear();
            StoreResult result = client.store(null, List.of(b, b));
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.stored()).containsExactly("9.8.6");
            assertThat(result.failed()).isEmpty();

            Received r = received.get(0);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.uri()).isEqualTo("/pacs/dicom-web/studies");
            String contentType = r.header("Content-type");
            assertThat(contentType).startsWith("multipart/related; type=\"application/dicom\"");
            MultipartReader reader =
                    new MultipartReader(
                            new ByteArrayInputStream(r.body()),
                            MultipartReader.boundary(contentType),
                            Long.MAX_VALUE);
            for (int i = 0; i < 2; i++) {
                MultipartReader.Part part = reader.next();
                assertThat(part.mediaType()).isEqualTo("application/dicom");
                assertThat(part.body().readAllBytes()).isEqualTo(Files.readAllBytes(b));
            }
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aProxyRequestCarriesTheClientsCredentialsNotTheCallers() throws IOException {
        handler =
                (exchange, r) -> {
                    exchange.getResponseHeaders().add("X-Pacs", "yes");
                    answer(
                            exchange,
                            418,
                            "text/plain",
                            ("echo " + new String(r.body())).getBytes());
                };
        try (DicomWebClient client = client(DicomWebCredentials.basic("svc", "pw"))) {
            DicomWebClient.Response response =
                    client.send(
                            "POST",
                            "/studies/1.2/series?limit=2",
                            Map.of(
                                    "Authorization", List.of("Bearer for-monailabel"),
                                    "Cookie", List.of("session=1"),
                                    "Content-Type", List.of("application/json"),
                                    "Host", List.of("elsewhere")),
                            new ByteArrayInputStream("{}".getBytes()));
            try (response) {
                assertThat(response.status()).isEqualTo(418);
                assertThat(response.header("x-pacs")).contains("yes");
                assertThat(new String(response.body().readAllBytes())).isEqualTo("echo {}");
            }
            Received r = received.get(0);
            assertThat(r.uri()).isEqualTo("/pacs/dicom-web/studies/1.2/series?limit=2");
            assertThat(r.header("Authorization")).startsWith("Basic ");
            assertThat(r.header("Cookie")).isNull();
            assertThat(r.header("Content-type")).isEqualTo("application/json");
            for (String bad :
                    List.of("studies", "//evil/x", "/studies/../../admin", "/a%2F..%2Fb", "/a b")) {
                assertThatThrownBy(() -> client.send("GET", bad, Map.of(), null))
                        .as(bad)
                        .isInstanceOf(InvalidInputException.class);
            }
        }
    }

    @Test
    void aServerThatIsDownIsUnavailableAtOnce() {
        server.stop(0);
        try (DicomWebClient client = client(DicomWebCredentials.none())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.searchSeries(Map.of()))
                    .isInstanceOf(DicomWebUnavailableException.class)
                    .hasMessageContaining("cannot connect");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(5));
        }
    }
}
