package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.JarFiles;
import org.monailabel.http.support.PathPrefix;

/**
 * {@code GET /ui/} and {@code GET /ui/{file}}: the browser annotation page, plain HTML, CSS and
 * JavaScript modules kept as resources of this jar ({@code org/monailabel/http/ui/}), nothing
 * fetched from another host. The page gets a {@code <base>} pointing at {@code ui/} under the root
 * it was requested from, so its modules and API calls resolve at the root, under {@code
 * --root-path} and behind a proxy. Thread-safe.
 */
public final class UiEndpoints {
    private static final String FOLDER = "org/monailabel/http/ui/";
    private static final String BASE_MARKER = "<!--BASE-->";

    private static final Map<String, String> TYPES =
            Map.of(
                    ".js", "text/javascript; charset=utf-8",
                    ".css", "text/css; charset=utf-8",
                    ".html", "text/html; charset=utf-8",
                    ".svg", "image/svg+xml",
                    ".png", "image/png");
    private static final String CACHE = "no-cache"; // revalidated: the UI changes with the server

    private final JarFiles jarFiles = new JarFiles(FOLDER, "UI file");

    /** {@code GET /ui/}: the page, with its base folder. */
    public void page(HttpServerExchange exchange) {
        byte[] page =
                jarFiles.get("index.html")
                        .orElseThrow(() -> new IllegalStateException("The UI has no index.html"));
        String base = PathPrefix.toRoot(exchange) + "ui/"; // "../ui/" for /ui/, "ui/" for /ui
        String html =
                new String(page, StandardCharsets.UTF_8)
                        .replace(BASE_MARKER, "<base href=\"" + InfoEndpoints.escape(base) + "\">");
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        JarFiles.send(exchange, bytes, "text/html; charset=utf-8", CACHE);
    }

    /** {@code GET /ui/{file}}: a module or style sheet of the page; never a path out of it. */
    public void file(HttpServerExchange exchange) {
        String name = Http.pathParam(exchange, "file");
        if (name.contains("/")
                || name.contains("\\")
                || name.contains("..")
                || name.startsWith(".")
                || name.contains("%")
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(
                    "A UI file name must not start with '.' or contain '/', '\\', "
                            + "'..', '%' or control characters");
        }
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot).toLowerCase(Locale.ROOT));
        byte[] bytes =
                type == null || name.equals("index.html") ? null : jarFiles.get(name).orElse(null);
        if (bytes == null) {
            throw new NotFoundException("No UI file '" + name + "'");
        }
        JarFiles.send(exchange, bytes, type, CACHE);
    }
}
