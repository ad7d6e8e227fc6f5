package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.handler.Services;
import org.monailabel.http.support.Forms;

/**
 * {@code GET /openapi.json} and the Swagger UI at {@code GET /docs} (docs/rest-api.md §12): the
 * document lists exactly the routes the routing table registers, is OpenAPI 3 with the server's
 * version and names the prefix it was fetched under; the page and everything it loads come from
 * this server, at the root and under the path prefix {@code /monai} this server also serves.
 */
class HttpOpenApiTest {
    static final Set<String> METHODS =
            Set.of("get", "put", "post", "delete", "head", "options", "patch", "trace");

    @TempDir static Path root;

    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start(root, b -> b.rootPath("/monai"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Map<String, Object> document(String path) throws Exception {
        HttpResponse<String> response = server.get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return TestServer.json(response);
    }

    /** "GET /info/" for every operation of an OpenAPI document. */
    static Set<String> operations(Map<String, Object> document) {
        Set<String> operations = new TreeSet<>();
        TestServer.map(document.get("paths"))
                .forEach(
                        (path, item) ->
                                TestServer.map(item).keySet().stream()
                                        .filter(METHODS::contains)
                                        .forEach(
                                                m ->
                                                        operations.add(
                                                                m.toUpperCase(Locale.ROOT)
                                                                        + " "
                                                                        + path)));
        return operations;
    }

    /**
     * What a routing table and a document disagree on: one line per route or operation missing on
     * either side.
     */
    static List<String> differences(List<Routes.Route> routes, Map<String, Object> document) {
        Set<String> registered = new TreeSet<>();
        routes.forEach(r -> registered.add(r.method() + " " + r.path()));
        Set<String> documented = operations(document);
        List<String> differences = new ArrayList<>();
        registered.stream()
                .filter(r -> !documented.contains(r))
                .forEach(r -> differences.add("undocumented route " + r));
        documented.stream()
                .filter(d -> !registered.contains(d))
                .forEach(d -> differences.add("no route for " + d));
        return differences;
    }

    /** The routing table as the server builds it, over the running server's apps and datastore. */
    static List<Routes.Route> registeredRoutes() throws IOException {
        Path work = Files.createTempDirectory(root, "routes");
        Services services =
                new Services(
                        server.server.monaiLabel(),
                        new Forms(work.resolve("uploads"), 1024),
                        work,
                        MonaiLabelServer.version());
        return Routes.table(services).registered();
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
        List<Routes.Route> routes = registeredRoutes();
        assertThat(routes)
                .doesNotHaveDuplicates()
                .hasSizeGreaterThan(40)
                .contains(
                        new Routes.Route("GET", "/info/"),
                        new Routes.Route("POST", "/infer/{model}"),
                        new Routes.Route("HEAD", "/datastore/image"),
                        new Routes.Route("GET", "/openapi.json"));
        assertThat(differences(routes, document("/openapi.json"))).isEmpty();
    }

    @Test
    void theComparisonFindsARouteWithoutOperationAndAnOperationWithoutRoute() throws Exception {
        List<Routes.Route> routes = new ArrayList<>(registeredRoutes());
        routes.add(new Routes.Route("POST", "/reload"));
        Map<String, Object> document = document("/openapi.json");
        Map<String, Object> paths = new LinkedHashMap<>(TestServer.map(document.get("paths")));
        paths.put(
                "/datastore/image",
                new LinkedHashMap<>(TestServer.map(paths.get("/datastore/image"))));
        TestServer.map(paths.get("/datastore/image")).remove("head");
        paths.put("/ohif/{path}", Map.of("get", Map.of("responses", Map.of())));
        document.put("paths", paths);
        assertThat(differences(routes, document))
                .containsExactlyInAnyOrder(
                        "undocumented route POST /reload",
                        "undocumented route HEAD /datastore/image",
                        "no route for GET /ohif/{path}");
    }

    @Test
    void theDocumentIsOpenApi3WithTheServersVersionAndEveryOperationComplete() throws Exception {
        Map<String, Object> document = document("/openapi.json");
        assertThat((String) document.get("openapi")).matches("3\\.(0\\.3|1\\.0)");
        assertThat(TestServer.map(document.get("info")))
                .containsEntry("version", MonaiLabelServer.version())
                .containsKey("title");
        assertThat(MonaiLabelServer.version()).isNotEqualTo("dev");
        assertThat(document.get("servers")).isEqualTo(List.of(Map.of("url", "/")));
        Set<String> operationIds = new LinkedHashSet<>();
        Pattern template = Pattern.compile("\\{([^}]+)}");
        TestServer.map(document.get("paths"))
                .forEach(
                        (path, item) ->
                                TestServer.map(item)
                                        .forEach(
                                                (method, value) -> {
                                                    assertThat(METHODS).as(path).contains(method);
                                                    Map<String, Object> operation =
                                                            TestServer.map(value);
                                                    String where = method + " " + path;
                                                    assertThat(
                                                                    operationIds.add(
                                                                            (String)
                                                                                    operation.get(
                                                                                            "operationId")))
                                                            .as(where + " has a unique operationId")
                                                            .isTrue();
                                                    assertThat((String) operation.get("summary"))
                                                            .as(where)
                                                            .isNotBlank();
                                                    Map<String, Object> responses =
                                                            TestServer.map(
                                                                    operation.get("responses"));
                                                    assertThat(responses)
                                                            .as(where)
                                                            .containsKey("200")
                                                            .containsKey("500");
                                                    Set<String> pathParameters = new TreeSet<>();
                                                    for (Object p :
                                                            (List<?>)
                                                                    operation.getOrDefault(
                                                                            "parameters",
                                                                            List.of())) {
                                                        Map<String, Object> parameter =
                                                                resolve(
                                                                        document,
                                                                        TestServer.map(p));
                                                        assertThat(parameter.get("in"))
                                                                .as(where)
                                                                .isIn("query", "path", "header");
                                                        assertThat(parameter)
                                                                .as(where)
                                                                .containsKey("schema")
                                                                .containsKey("required");
                                                        if (parameter.get("in").equals("path")) {
                                                            assertThat(parameter)
                                                                    .as(where)
                                                                    .containsEntry(
                                                                            "required", true);
                                                            pathParameters.add(
                                                                    (String) parameter.get("name"));
                                                        }
                                                    }
                                                    Set<String> templated = new TreeSet<>();
                                                    for (Matcher m = template.matcher(path);
                                                            m.find(); ) {
                                                        templated.add(m.group(1));
                                                    }
                                                    assertThat(pathParameters)
                                                            .as(
                                                                    where
                                                                            + " declares its path"
                                                                            + " parameters")
                                                            .isEqualTo(templated);
                                                    responses.forEach(
                                                            (status, response) -> {
                                                                // a 304 has no body
                                                                if (!status.equals("200")
                                                                        && !status.equals("304")) {
                                                                    assertThat(
                                                                                    TestServer.map(
                                                                                            resolve(
                                                                                                            document,
                                                                                                            TestServer
                                                                                                                    .map(
                                                                                                                            response))
                                                                                                    .get(
                                                                                                            "content")))
                                                                            .as(
                                                                                    where + " "
                                                                                            + status)
                                                                            .containsOnlyKeys(
                                                                                    "application/json");
                                                                }
                                                            });
                                                }));
        assertThat(references(document))
                .allSatisfy(
                        ref ->
                                assertThat(resolve(document, Map.of("$ref", ref)))
                                        .as(ref)
                                        .isNotNull());
        assertThat(
                        TestServer.map(
                                        TestServer.map(
                                                        TestServer.map(document.get("components"))
                                                                .get("schemas"))
                                                .get("Error"))
                                .get("required"))
                .isEqualTo(List.of("detail", "status", "error", "request_id"));
    }

    /** The object a {@code $ref} points to (or the object itself when it is none). */
    static Map<String, Object> resolve(Map<String, Object> document, Map<String, Object> maybeRef) {
        Object ref = maybeRef.get("$ref");
        if (ref == null) {
            return maybeRef;
        }
        assertThat((String) ref).startsWith("#/");
        Object node = document;
        for (String part : ((String) ref).substring(2).split("/")) {
            assertThat(node).as(ref.toString()).isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(part);
        }
        assertThat(node).as(ref.toString()).isInstanceOf(Map.class);
        return TestServer.map(node);
    }

    static Set<String> references(Object node) {
        Set<String> refs = new TreeSet<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach(
                    (k, v) -> {
                        if (k.equals("$ref")) {
                            refs.add((String) v);
                        } else {
                            refs.addAll(references(v));
                        }
                    });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> refs.addAll(references(item)));
        }
        return refs;
    }

    @Test
    void underTheRootPathTheDocumentNamesThePrefix() throws Exception {
        for (String path : List.of("/monai/openapi.json", "/monai/openapi.json/")) {
            Map<String, Object> document = document(path);
            assertThat(document.get("servers"))
                    .as(path)
                    .isEqualTo(List.of(Map.of("url", "/monai")));
            assertThat(TestServer.map(document.get("info")))
                    .containsEntry("version", MonaiLabelServer.version());
        }
        assertThat(document("/openapi.json/").get("servers"))
                .isEqualTo(List.of(Map.of("url", "/")));
    }

    @Test
    void theDocsPageLoadsOnlyFilesOfThisServerAtTheRootAndUnderThePrefix() throws Exception {
        for (String page : List.of("/docs", "/docs/", "/monai/docs", "/monai/docs/")) {
            HttpResponse<String> response = server.get(page);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue("text/html; charset=utf-8");
            String html = response.body();
            assertThat(html)
                    .as(page)
                    .doesNotContain("http:")
                    .doesNotContain("https:")
                    .doesNotContain("//")
                    .doesNotContain("petstore")
                    .contains("SwaggerUIBundle(");
            URI base = server.uri(page);
            String expectedPrefix = page.startsWith("/monai") ? "/monai" : "";
            List<String> scripts = attributes(html, "script", "src");
            List<String> links = attributes(html, "link", "href");
            assertThat(scripts).as(page).hasSize(1);
            assertThat(links).as(page).hasSize(2);
            assertStaticFile(base, scripts.get(0), expectedPrefix, "text/javascript");
            assertStaticFile(base, links.get(0), expectedPrefix, "text/css");
            assertStaticFile(base, links.get(1), expectedPrefix, "image/png");
            Matcher spec =
                    Pattern.compile("url: new URL\\(\"([^\"]*)\", window\\.location\\.href\\)")
                            .matcher(html);
            assertThat(spec.find()).as(html).isTrue();
            URI specUri = base.resolve(spec.group(1));
            assertThat(specUri.getPath()).as(page).isEqualTo(expectedPrefix + "/openapi.json");
            HttpResponse<String> document = server.send(HttpRequest.newBuilder(specUri));
            assertThat(document.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(document).get("servers"))
                    .isEqualTo(
                            List.of(
                                    Map.of(
                                            "url",
                                            expectedPrefix.isEmpty() ? "/" : expectedPrefix)));
        }
    }

    static List<String> attributes(String html, String element, String attribute) {
        List<String> values = new ArrayList<>();
        Matcher m =
                Pattern.compile("<" + element + "\\b[^>]*\\b" + attribute + "=\"([^\"]*)\"")
                        .matcher(html);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    static void assertStaticFile(URI page, String url, String prefix, String type)
            throws Exception {
        assertThat(url).doesNotContain(":").doesNotStartWith("/");
        URI file = page.resolve(url);
        assertThat(file.getPath()).startsWith(prefix + "/docs/swagger-ui/");
        HttpResponse<byte[]> response =
                server.client.send(
                        HttpRequest.newBuilder(file).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(file.toString()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                .as(file.toString())
                .startsWith(type);
        assertThat(response.headers().firstValue("Cache-Control"))
                .hasValue("public, max-age=86400");
        assertThat(response.body().length).as(file.toString()).isGreaterThan(100);
        assertThat(response.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(response.body().length));
    }

    @Test
    void swaggerUiFilesOutsideTheFolderOrNotOursAreRefusedAsJsonErrors() throws Exception {
        Map<String, Integer> refused = new LinkedHashMap<>();
        refused.put("/docs/swagger-ui/..%2F..%2F..%2FMETA-INF%2FMANIFEST.MF", 400);
        refused.put("/docs/swagger-ui/..%5C..%5Cpom.properties", 400);
        refused.put("/docs/swagger-ui/%2e%2e", 400);
        refused.put("/docs/swagger-ui/.hidden", 400);
        refused.put("/monai/docs/swagger-ui/..%2Fswagger-ui.css", 400);
        refused.put("/docs/swagger-ui/index.html", 404);
        refused.put("/docs/swagger-ui/swagger-initializer.js", 404);
        refused.put("/docs/swagger-ui/no-such-file.js", 404);
        for (Map.Entry<String, Integer> e : refused.entrySet()) {
            HttpBadInputTest.assertError(
                    server.get(e.getKey()), e.getValue(), e.getValue() == 400 ? "must not" : "No");
        }
        // dot segments sent as they are, past any client-side normalization
        for (String raw :
                List.of(
                        "/docs/swagger-ui/../../openapi.json",
                        "/docs/swagger-ui/..",
                        "/docs/swagger-ui/../../../META-INF/MANIFEST.MF")) {
            String reply = rawGet(raw);
            assertThat(reply)
                    .as(raw)
                    .matches("(?s)HTTP/1\\.1 40[04] .*")
                    .contains("Content-Type: application/json")
                    .contains("\"detail\"");
        }
    }

    /** A GET with the request target exactly as given; the whole reply as text. */
    static String rawGet(String target) throws IOException {
        try (Socket socket = new Socket(server.server.uri().getHost(), server.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theHomePageLinksTheDocsRelatively() throws Exception {
        Map<String, String> expected =
                Map.of("/", "docs", "/monai/", "docs", "/monai", "monai/docs");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            HttpResponse<String> home = server.get(e.getKey());
            assertThat(home.statusCode()).isEqualTo(200);
            assertThat(attributes(home.body(), "a", "href"))
                    .as(e.getKey())
                    .containsExactly(
                            e.getValue().replace("docs", "ui/"),
                            e.getValue(),
                            e.getValue().replace("docs", "openapi.json"));
            assertThat(server.uri(e.getKey()).resolve(e.getValue()).getPath())
                    .isEqualTo(e.getKey().startsWith("/monai") ? "/monai/docs" : "/docs");
        }
    }

    @Test
    void theServedDocumentIsTheResourceBesideTheRoutingTable() throws Exception {
        try (InputStream in = Routes.class.getResourceAsStream("openapi.json")) {
            assertThat(in).isNotNull();
            Map<String, Object> resource =
                    JsonTrees.toJavaMap(
                            JsonTrees.parseObject(
                                    new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            assertThat(operations(resource)).isEqualTo(operations(document("/openapi.json")));
        }
    }
}
