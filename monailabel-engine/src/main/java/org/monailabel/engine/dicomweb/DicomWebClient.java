package org.monailabel.engine.dicomweb;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.dicomweb.MultipartReader.MalformedMultipartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a DICOMweb server (PS3.18): QIDO-RS searches, WADO-RS retrieval of series, instances
 * and metadata, STOW-RS storage, and {@link #send} for a proxy that forwards requests. Thread-safe;
 * {@link #close()} stops its threads, after which requests fail.
 *
 * <p>The base URL is the server's DICOMweb root ({@code https://pacs/dicom-web}). Credentials go in
 * an {@code Authorization} header on every request; user info in the base URL ({@code
 * https://user:password@pacs/...}) is taken as basic credentials when none are given, and is never
 * shown: {@link #describe()}, messages and log lines name the URL without it. Redirects are not
 * followed (they would carry the credentials elsewhere); HTTP/1.1 is used.
 *
 * <p>Failures: the server cannot be reached (connection refused, connect or answer timeout, the
 * connection broke off), answers 5xx or 429: {@link DicomWebUnavailableException}, a {@link
 * org.monailabel.api.error.BusyException} whose retry delay is the server's {@code Retry-After}
 * (seconds or an HTTP date) or {@value DicomWebUnavailableException#DEFAULT_RETRY_AFTER_SECONDS} s.
 * 401 and 403: {@link DicomWebAuthenticationException}. 404: {@link NotFoundException}. Other
 * statuses, and answers that are not what DICOMweb prescribes: {@link DicomWebException}. The
 * request timeout bounds the wait for an answer's headers; a body that stalls afterwards is not
 * timed out.
 *
 * <p>WADO-RS retrieval streams the {@code multipart/related} answer to one file per part ({@link
 * MultipartReader}); no series is held in memory. It asks for Explicit VR Little Endian ({@code
 * transfer-syntax=1.2.840.10008.1.2.1}), which the server transcodes compressed instances to; a
 * server that refuses to transcode (400, 406 or 415 to that request) is asked for the stored syntax
 * ({@code transfer-syntax=*}) from then on, and a compressed instance it sends is then reported by
 * the DICOM parser, naming its syntax.
 */
public final class DicomWebClient implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(DicomWebClient.class);

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** The transfer syntax WADO-RS retrieval asks for: Explicit VR Little Endian. */
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

    /** The largest instance (one part of a WADO-RS answer) accepted: 2 GiB. */
    public static final long MAX_INSTANCE_BYTES = Integer.MAX_VALUE - 8L;

    private static final long MAX_JSON_BYTES = 512L * 1024 * 1024;
    private static final int EXCERPT = 300;
    private static final String DICOM = "application/dicom";
    private static final String DICOM_JSON = "application/dicom+json";
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z]+");

    /** Request headers a proxy must not forward (hop-by-hop, or the client's own). */
    private static final Set<String> NOT_FORWARDED =
            Set.of(
                    "authorization",
                    "connection",
                    "content-length",
                    "cookie",
                    "expect",
                    "host",
                    "keep-alive",
                    "proxy-authorization",
                    "proxy-connection",
                    "te",
                    "trailer",
                    "transfer-encoding",
                    "upgrade");

    /**
     * An answer to {@link #send}: its status, headers and body, which the caller must close.
     *
     * @param status the HTTP status, as the server sent it
     * @param headers the response headers (names in lower case)
     * @param body the response body, streamed
     */
    public record Response(int status, Map<String, List<String>> headers, InputStream body)
            implements Closeable {
        /** The first value of a header, if present (the name in any case). */
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty()
                    ? Optional.empty()
                    : Optional.of(values.get(0));
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    private final URI base;
    private final String root;
    private final DicomWebCredentials credentials;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final ExecutorService executor;
    private final HttpClient http;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean storedSyntaxOnly;

    /** A client with the default timeouts. */
    public DicomWebClient(String baseUrl, DicomWebCredentials credentials) {
        this(baseUrl, credentials, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param baseUrl the DICOMweb root, {@code http(s)://host[:port]/path}
     * @param credentials how to authenticate; {@link DicomWebCredentials#none()} takes basic
     *     credentials from user info in the URL, if any
     * @param connectTimeout how long to wait for a connection
     * @param requestTimeout how long to wait for an answer's headers
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL without query
     */
    public DicomWebClient(
            String baseUrl,
            DicomWebCredentials credentials,
            Duration connectTimeout,
            Duration requestTimeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(credentials, "credentials");
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        URI uri;
        try {
            uri = new URI(baseUrl.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a DICOMweb URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "A DICOMweb URL must be http(s)://host[:port]/path, not '"
                            + withoutUserInfo(uri)
                            + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "A DICOMweb URL has no query or fragment: '" + withoutUserInfo(uri) + "'");
        }
        DicomWebCredentials effective = credentials;
        if (uri.getRawUserInfo() != null && credentials.authorization().isEmpty()) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            String user = decode(colon < 0 ? info : info.substring(0, colon));
            String password = colon < 0 ? "" : decode(info.substring(colon + 1));
            effective = DicomWebCredentials.basic(user, password);
        }
        this.credentials = effective;
        this.base = withoutUserInfo(uri);
        String path = base.toString();
        this.root = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.executor =
                Executors.newCachedThreadPool(
                        runnable -> {
                            Thread thread = new Thread(runnable, "dicomweb-client");
                            thread.setDaemon(true);
                            return thread;
                        });
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .executor(executor)
                        .build();
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static URI withoutUserInfo(URI uri) {
        try {
            return new URI(
                    uri.getScheme(),
                    null,
                    uri.getHost(),
                    uri.getPort(),
                    uri.getPath(),
                    uri.getQuery(),
                    uri.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a DICOMweb URL (" + e.getReason() + ")");
        }
    }

    /** The server's DICOMweb root without user info, for messages and log lines. */
    public String describe() {
        return root;
    }

    /** The kind of credentials used ({@code none}, {@code basic}, {@code bearer token}). */
    public String credentialsKind() {
        return credentials.toString();
    }

    // ---------------------------------------------------------------- QIDO-RS

    /** QIDO-RS {@code GET /studies?query}. */
    public List<DicomJson> searchStudies(Map<String, String> query) throws IOException {
        return search("/studies", query);
    }

    /**
     * QIDO-RS {@code GET /series?query}: series of all studies. A query value with commas under
     * {@code includefield} is sent as one {@code includefield} per field.
     */
    public List<DicomJson> searchSeries(Map<String, String> query) throws IOException {
        return search("/series", query);
    }

    /** QIDO-RS {@code GET /studies/{study}/series?query}: the series of one study. */
    public List<DicomJson> searchSeries(String studyUid, Map<String, String> query)
            throws IOException {
        return search("/studies/" + uid(studyUid, "StudyInstanceUID") + "/series", query);
    }

    /** QIDO-RS {@code GET /studies/{study}/series/{series}/instances}. */
    public List<DicomJson> searchInstances(String studyUid, String seriesUid) throws IOException {
        return searchInstances(studyUid, seriesUid, Map.of());
    }

    /** QIDO-RS {@code GET /studies/{study}/series/{series}/instances?query}. */
    public List<DicomJson> searchInstances(
            String studyUid, String seriesUid, Map<String, String> query) throws IOException {
        return search(seriesPath(studyUid, seriesUid) + "/instances", query);
    }

    private List<DicomJson> search(String path, Map<String, String> query) throws IOException {
        String pathAndQuery = path + query(query);
        String what = "QIDO-RS " + pathAndQuery;
        HttpResponse<InputStream> r =
                exchange(
                        request(pathAndQuery).header("Accept", DICOM_JSON + ", application/json"),
                        what);
        if (r.statusCode() == 204) {
            r.body().close();
            return List.of();
        }
        check(r, what);
        return DicomJsonBody.parseArray(readJson(r, what), describe() + ": " + what);
    }

    // ---------------------------------------------------------------- WADO-RS

    /** WADO-RS {@code GET /studies/{study}/series/{series}/metadata}: one dataset per instance. */
    public List<DicomJson> retrieveSeriesMetadata(String studyUid, String seriesUid)
            throws IOException {
        String path = seriesPath(studyUid, seriesUid) + "/metadata";
        String what = "WADO-RS " + path;
        HttpResponse<InputStream> r =
                exchange(request(path).header("Accept", DICOM_JSON + ", application/json"), what);
        check(r, what);
        return DicomJsonBody.parseArray(readJson(r, what), describe() + ": " + what);
    }

    /**
     * WADO-RS {@code GET /studies/{study}/series/{series}}: writes each instance of the series to
     * its own file in {@code dir} (created if needed), named {@code instance-000001.dcm} and on in
     * the order the server sent them; returns the files.
     */
    public List<Path> retrieveSeries(String studyUid, String seriesUid, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        retrieve(
                seriesPath(studyUid, seriesUid),
                toFiles(
                        n -> {
                            Path file =
                                    dir.resolve(String.format(Locale.ROOT, "instance-%06d.dcm", n));
                            files.add(file);
                            return file;
                        }));
        return files;
    }

    /** Receives the instances of a WADO-RS answer one by one, as they arrive. */
    @FunctionalInterface
    public interface InstanceSink {
        /**
         * @param number 1, 2, ... in the order the server sent them
         * @param body the instance's bytes (at most {@link #MAX_INSTANCE_BYTES}); valid only during
         *     the call
         */
        void accept(int number, InputStream body) throws IOException;
    }

    /**
     * WADO-RS {@code GET /studies/{study}/series/{series}}: hands each instance to {@code sink} as
     * it arrives, without a file; returns how many there were.
     */
    public int retrieveSeries(String studyUid, String seriesUid, InstanceSink sink)
            throws IOException {
        return retrieve(seriesPath(studyUid, seriesUid), sink);
    }

    /**
     * WADO-RS {@code GET /studies/{study}/series/{series}/instances/{instance}}: writes the
     * instance to {@code file} (replaced if it exists); returns it.
     */
    public Path retrieveInstance(String studyUid, String seriesUid, String sopUid, Path file)
            throws IOException {
        String path =
                seriesPath(studyUid, seriesUid) + "/instances/" + uid(sopUid, "SOPInstanceUID");
        int parts =
                retrieve(
                        path,
                        toFiles(
                                n -> {
                                    if (n > 1) {
                                        throw new DicomWebException(
                                                describe()
                                                        + ": WADO-RS "
                                                        + path
                                                        + " answered more than one instance",
                                                0,
                                                "");
                                    }
                                    return file;
                                }));
        if (parts == 0) {
            throw new DicomWebException(
                    describe() + ": WADO-RS " + path + " answered no instance", 0, "");
        }
        return file;
    }

    @FunctionalInterface
    private interface PartFile {
        Path file(int number) throws IOException;
    }

    private static InstanceSink toFiles(PartFile files) {
        return (number, in) -> {
            Path file = files.file(number);
            try (OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            }
        };
    }

    private int retrieve(String path, InstanceSink sink) throws IOException {
        String what = "WADO-RS " + path;
        boolean transcode = !storedSyntaxOnly;
        HttpResponse<InputStream> r = exchange(retrieveRequest(path, transcode), what);
        int status = r.statusCode();
        if (transcode && (status == 400 || status == 406 || status == 415)) {
            String excerpt = excerpt(r);
            storedSyntaxOnly = true;
            logger.info(
                    "{} refused to transcode to Explicit VR Little Endian (HTTP {}: {}); asking it"
                            + " for the stored transfer syntax from now on",
                    describe(),
                    status,
                    excerpt);
            r = exchange(retrieveRequest(path, false), what);
        }
        check(r, what);
        String contentType = r.headers().firstValue("Content-Type").orElse(null);
        try (InputStream body = new BodyStream(r.body())) {
            MultipartReader reader =
                    new MultipartReader(
                            body, MultipartReader.boundary(contentType), MAX_INSTANCE_BYTES);
            for (MultipartReader.Part part = reader.next(); part != null; part = reader.next()) {
                String type = part.mediaType();
                if (!type.isEmpty() && !type.equals(DICOM)) {
                    throw new DicomWebException(
                            describe()
                                    + ": "
                                    + what
                                    + ": part "
                                    + reader.parts()
                                    + " is '"
                                    + type
                                    + "', not "
                                    + DICOM,
                            status,
                            "");
                }
                sink.accept(reader.parts(), part.body());
            }
            return reader.parts();
        } catch (MalformedMultipartException e) {
            throw new DicomWebException(describe() + ": " + what + ": " + e.getMessage(), e);
        } catch (BrokenConnectionException e) {
            throw unavailable(what + ": the connection broke off", 0, null, e.getCause());
        }
    }

    private HttpRequest.Builder retrieveRequest(String path, boolean transcode) {
        return request(path)
                .header(
                        "Accept",
                        "multipart/related; type=\""
                                + DICOM
                                + "\"; transfer-syntax="
                                + (transcode ? EXPLICIT_VR_LITTLE_ENDIAN : "*"));
    }

    // ---------------------------------------------------------------- STOW-RS

    /**
     * STOW-RS {@code POST /studies[/{study}]} of DICOM Part 10 files, streamed from disk as one
     * {@code multipart/related; type="application/dicom"} body.
     *
     * @param studyUid the study every instance must belong to, or null for any
     * @throws DicomWebStoreException if the server lists instances it did not store
     */
    public StoreResult store(String studyUid, List<Path> files) throws IOException {
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        for (Path f : files) {
            parts.add(HttpRequest.BodyPublishers.ofFile(f));
        }
        return storeParts(studyUid, parts);
    }

    /** As {@link #store(String, List)}, of instances in memory (DICOM Part 10 bytes). */
    public StoreResult storeBytes(String studyUid, List<byte[]> instances) throws IOException {
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        for (byte[] b : instances) {
            parts.add(HttpRequest.BodyPublishers.ofByteArray(b));
        }
        return storeParts(studyUid, parts);
    }

    private StoreResult storeParts(String studyUid, List<HttpRequest.BodyPublisher> instances)
            throws IOException {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("STOW-RS needs at least one instance");
        }
        String path =
                studyUid == null ? "/studies" : "/studies/" + uid(studyUid, "StudyInstanceUID");
        String what = "STOW-RS " + path;
        String boundary = "monailabel-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> body = new ArrayList<>();
        for (HttpRequest.BodyPublisher instance : instances) {
            body.add(ascii("--" + boundary + "\r\nContent-Type: " + DICOM + "\r\n\r\n"));
            body.add(instance);
            body.add(ascii("\r\n"));
        }
        body.add(ascii("--" + boundary + "--\r\n"));
        HttpRequest.Builder request =
                request(path)
                        .header(
                                "Content-Type",
                                "multipart/related; type=\"" + DICOM + "\"; boundary=" + boundary)
                        .header("Accept", DICOM_JSON + ", application/json")
                        .POST(
                                HttpRequest.BodyPublishers.concat(
                                        body.toArray(HttpRequest.BodyPublisher[]::new)));
        HttpResponse<InputStream> r = exchange(request, what);
        int status = r.statusCode();
        if (status == 200 || status == 202 || status == 400 || status == 409) {
            String json = readJson(r, what);
            DicomJson response = null;
            try {
                response = json.isBlank() ? null : DicomJson.parse(json);
            } catch (IOException notDicomJson) {
                // reported below with the body
            }
            String excerpt = excerpt(json);
            if (response == null) {
                if (status == 200 || status == 202) {
                    return new StoreResult(status, List.of(), List.of(), null);
                }
                throw new DicomWebException(
                        describe() + ": " + what + " answered HTTP " + status + ": " + excerpt,
                        status,
                        excerpt);
            }
            StoreResult result = StoreResult.of(status, response);
            if (!result.failed().isEmpty()) {
                StringJoiner failures = new StringJoiner("; ");
                for (StoreResult.Failure f : result.failed()) {
                    failures.add(f.sopInstanceUid() + ": " + f.describeReason());
                }
                throw new DicomWebStoreException(
                        describe()
                                + ": "
                                + what
                                + " did not store "
                                + result.failed().size()
                                + " of "
                                + instances.size()
                                + " instances (HTTP "
                                + status
                                + "): "
                                + failures,
                        result,
                        excerpt);
            }
            if (status == 400 || status == 409) {
                throw new DicomWebException(
                        describe()
                                + ": "
                                + what
                                + " answered HTTP "
                                + status
                                + " ("
                                + result.stored().size()
                                + " of "
                                + instances.size()
                                + " instances stored, none listed as failed): "
                                + excerpt,
                        status,
                        excerpt);
            }
            return result;
        }
        check(r, what);
        r.body().close();
        return new StoreResult(status, List.of(), List.of(), null);
    }

    private static HttpRequest.BodyPublisher ascii(String s) {
        return HttpRequest.BodyPublishers.ofByteArray(s.getBytes(StandardCharsets.US_ASCII));
    }

    // ---------------------------------------------------------------- proxy

    /**
     * Sends a request to the server as it is, with this client's credentials, for a proxy route:
     * {@code pathAndQuery} is appended to the DICOMweb root. The client's own {@code
     * Authorization}, cookies and hop-by-hop headers are not forwarded. The answer is returned
     * whatever its status (the caller forwards it); only a server that cannot be reached throws
     * ({@link DicomWebUnavailableException}).
     *
     * @param method an HTTP method, e.g. {@code GET}
     * @param pathAndQuery {@code /studies/1.2.3/series?limit=10}: starts with {@code /}, no {@code
     *     ..} segment
     * @param headers request headers to forward
     * @param body the request body, or null for none
     * @throws InvalidInputException if the method or path is not acceptable
     */
    public Response send(
            String method, String pathAndQuery, Map<String, List<String>> headers, InputStream body)
            throws IOException {
        if (method == null || !TOKEN.matcher(method).matches()) {
            throw new InvalidInputException("Not an HTTP method: '" + method + "'");
        }
        checkPath(pathAndQuery);
        HttpRequest.Builder request;
        try {
            request = request(pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("Not a DICOMweb path: '" + pathAndQuery + "'");
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(name)) {
                continue;
            }
            for (String value : h.getValue()) {
                try {
                    request.header(h.getKey(), value);
                } catch (IllegalArgumentException restricted) {
                    // a header HttpClient sets itself (date, via...): not forwarded
                }
            }
        }
        request.method(
                method.toUpperCase(Locale.ROOT),
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofInputStream(() -> body));
        HttpResponse<InputStream> r = exchange(request, method + " " + pathAndQuery);
        return new Response(r.statusCode(), lowerCase(r.headers()), r.body());
    }

    private static void checkPath(String pathAndQuery) {
        if (pathAndQuery == null
                || !pathAndQuery.startsWith("/")
                || pathAndQuery.startsWith("//")
                || pathAndQuery.indexOf('#') >= 0
                || pathAndQuery.chars().anyMatch(c -> c <= 0x20 || c == 0x7F)) {
            throw new InvalidInputException("Not a DICOMweb path: '" + pathAndQuery + "'");
        }
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        for (String segment : path.split("/", -1)) {
            String decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (decoded.equals("..") || decoded.equals(".") || decoded.contains("/")) {
                throw new InvalidInputException("Not a DICOMweb path: '" + pathAndQuery + "'");
            }
        }
    }

    private static Map<String, List<String>> lowerCase(HttpHeaders headers) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        headers.map()
                .forEach(
                        (k, v) ->
                                out.computeIfAbsent(
                                                k.toLowerCase(Locale.ROOT), x -> new ArrayList<>())
                                        .addAll(v));
        out.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------- plumbing

    private HttpRequest.Builder request(String pathAndQuery) {
        if (closed.get()) {
            throw new IllegalStateException("DICOMweb client of " + describe() + " is closed");
        }
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(root + pathAndQuery)).timeout(requestTimeout);
        credentials.authorization().ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    private String seriesPath(String studyUid, String seriesUid) {
        return "/studies/"
                + uid(studyUid, "StudyInstanceUID")
                + "/series/"
                + uid(seriesUid, "SeriesInstanceUID");
    }

    private static String uid(String uid, String what) {
        if (uid == null || uid.length() > 64 || !UID.matcher(uid).matches()) {
            throw new InvalidInputException("Not a DICOM " + what + ": '" + uid + "'");
        }
        return uid;
    }

    private static String query(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner q = new StringJoiner("&", "?", "");
        for (Map.Entry<String, String> e : query.entrySet()) {
            List<String> values =
                    e.getKey().equalsIgnoreCase("includefield")
                            ? List.of(e.getValue().split(","))
                            : List.of(e.getValue());
            for (String v : values) {
                q.add(encode(e.getKey()) + "=" + encode(v.strip()));
            }
        }
        return q.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpResponse<InputStream> exchange(HttpRequest.Builder request, String what)
            throws IOException {
        try {
            logger.debug("{} {}", describe(), what);
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw unavailable(
                    what + ": no connection within " + connectTimeout.toMillis() + " ms",
                    0,
                    null,
                    e);
        } catch (HttpTimeoutException e) {
            throw unavailable(
                    what + ": no answer within " + requestTimeout.toMillis() + " ms", 0, null, e);
        } catch (ConnectException e) {
            throw unavailable(what + ": cannot connect (" + reason(e) + ")", 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("interrupted: " + describe() + ": " + what);
            interrupted.initCause(e);
            throw interrupted;
        } catch (IOException e) {
            throw unavailable(what + ": " + reason(e), 0, null, e);
        }
    }

    private static String reason(IOException e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t instanceof ConnectException
                    ? "connection refused"
                    : t.getClass().getSimpleName();
        }
        return message;
    }

    private DicomWebUnavailableException unavailable(
            String message, int status, HttpHeaders headers, Throwable cause) {
        int retry =
                headers == null
                        ? DicomWebUnavailableException.DEFAULT_RETRY_AFTER_SECONDS
                        : retryAfter(headers);
        return new DicomWebUnavailableException(
                "DICOMweb server " + describe() + " is unavailable: " + message,
                status,
                retry,
                cause);
    }

    /** {@code Retry-After} in seconds (a number or an HTTP date), else the default. */
    static int retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("Retry-After");
        if (value.isEmpty()) {
            return DicomWebUnavailableException.DEFAULT_RETRY_AFTER_SECONDS;
        }
        String v = value.get().strip();
        try {
            long seconds = Long.parseLong(v);
            return (int) Math.max(0, Math.min(seconds, 24 * 3600));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                long seconds = Duration.between(ZonedDateTime.now(at.getZone()), at).toSeconds();
                return (int) Math.max(0, Math.min(seconds, 24 * 3600));
            } catch (DateTimeParseException notADate) {
                return DicomWebUnavailableException.DEFAULT_RETRY_AFTER_SECONDS;
            }
        }
    }

    /** Throws for any status but 2xx, reading (and closing) the body for the message. */
    private void check(HttpResponse<InputStream> r, String what) throws IOException {
        int status = r.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String excerpt = excerpt(r);
        String prefix = describe() + ": " + what;
        if (status == 401 || status == 403) {
            throw new DicomWebAuthenticationException(
                    prefix
                            + ": authentication failed (HTTP "
                            + status
                            + (status == 401
                                    ? ", credentials missing or refused"
                                    : ", not allowed with these credentials")
                            + "; credentials used: "
                            + credentials
                            + ")",
                    status,
                    excerpt);
        }
        if (status == 404) {
            throw new NotFoundException(prefix + ": not found (HTTP 404)");
        }
        if (status >= 500 || status == 429) {
            throw unavailable(
                    what + ": HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt),
                    status,
                    r.headers(),
                    null);
        }
        if (status >= 300 && status < 400) {
            String location = r.headers().firstValue("Location").orElse("?");
            throw new DicomWebException(
                    prefix
                            + ": redirected (HTTP "
                            + status
                            + ") to "
                            + location
                            + "; configure the URL it redirects to",
                    status,
                    excerpt);
        }
        throw new DicomWebException(
                prefix + ": HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt),
                status,
                excerpt);
    }

    private static String excerpt(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return excerpt(new String(in.readNBytes(4 * EXCERPT), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }

    private static String excerpt(String body) {
        String s = body.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "...";
    }

    private String readJson(HttpResponse<InputStream> r, String what) throws IOException {
        try (InputStream in = r.body()) {
            byte[] bytes = in.readNBytes((int) Math.min(MAX_JSON_BYTES, Integer.MAX_VALUE - 8) + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                throw new DicomWebException(
                        describe()
                                + ": "
                                + what
                                + ": answer longer than "
                                + MAX_JSON_BYTES
                                + " bytes",
                        r.statusCode(),
                        "");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (DicomWebException e) {
            throw e;
        } catch (IOException e) {
            throw unavailable(what + ": the connection broke off (" + reason(e) + ")", 0, null, e);
        }
    }

    /** Parses DICOM JSON answers, naming the request when they are not. */
    private static final class DicomJsonBody {
        static List<DicomJson> parseArray(String json, String what) throws DicomWebException {
            try {
                return DicomJson.parseArray(json);
            } catch (IOException e) {
                throw new DicomWebException(
                        what + ": " + e.getMessage() + ": " + excerpt(json), 0, excerpt(json));
            }
        }
    }

    /** An I/O failure reading a response body (the connection broke), told apart from disk I/O. */
    private static final class BrokenConnectionException extends IOException {
        private static final long serialVersionUID = 1L;

        BrokenConnectionException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class BodyStream extends FilterInputStream {
        BodyStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new BrokenConnectionException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new BrokenConnectionException(e);
            }
        }
    }

    /** Stops the client's threads; requests made afterwards throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "DicomWebClient(" + describe() + ", " + credentials + ")";
    }
}
