package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /ui/} and {@code GET /ui/{file}}: the annotation page and its modules come from this
 * server, at the root and under the prefix, with no reference to another host and no way out of the
 * page's folder.
 */
class HttpUiTest {
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

    @Test
    void thePageAndItsModulesAreServedFromTheJar() throws Exception {
        for (String page : List.of("/ui", "/ui/", "/monai/ui", "/monai/ui/")) {
            HttpResponse<String> response = server.get(page);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue("text/html; charset=utf-8");
            String html = response.body();
            for (String id :
                    List.of(
                            "next-sample",
                            "image-id",
                            "viewer",
                            "tool-brush",
                            "tool-eraser",
                            "submit-label",
                            "train-start")) {
                assertThat(html).as(page).contains("data-testid=\"" + id + "\"");
            }
            assertThat(html).doesNotContain("http:").doesNotContain("https:").doesNotContain("//");
            Matcher base = Pattern.compile("<base href=\"([^\"]*)\">").matcher(html);
            assertThat(base.find()).as(page).isTrue();
            URI folder = server.uri(page).resolve(base.group(1));
            String prefix = page.startsWith("/monai") ? "/monai" : "";
            assertThat(folder.getPath()).as(page).isEqualTo(prefix + "/ui/");
            for (Map.Entry<String, String> f :
                    Map.of(
                                    "app.js", "text/javascript; charset=utf-8",
                                    "nifti.js", "text/javascript; charset=utf-8",
                                    "viewer.js", "text/javascript; charset=utf-8",
                                    "style.css", "text/css; charset=utf-8")
                            .entrySet()) {
                HttpResponse<String> file = server.get(folder.resolve(f.getKey()).getPath());
                assertThat(file.statusCode()).as(f.getKey()).isEqualTo(200);
                assertThat(file.headers().firstValue("Content-Type")).hasValue(f.getValue());
                assertThat(file.body()).doesNotContain("http://").doesNotContain("https://");
            }
        }
    }

    @Test
    void namesOutOfTheFolderAreRefused() throws Exception {
        Map<String, Integer> refused =
                Map.of(
                        "/ui/..%2F..%2Fopenapi.json", 400,
                        "/ui/%2e%2e", 400,
                        "/ui/.hidden", 400,
                        "/ui/index.html", 404,
                        "/ui/no-such.js", 404,
                        "/ui/openapi.json", 404);
        for (Map.Entry<String, Integer> e : refused.entrySet()) {
            HttpBadInputTest.assertError(
                    server.get(e.getKey()), e.getValue(), e.getValue() == 400 ? "must not" : "No");
        }
    }
}
