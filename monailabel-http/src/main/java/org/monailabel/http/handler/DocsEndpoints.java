package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.JarFiles;
import org.monailabel.http.support.PathPrefix;

/**
 * {@code GET /docs} and {@code GET /docs/swagger-ui/{file}} (docs/rest-api.md §12.3): Swagger UI
 * for {@code /openapi.json}, served entirely from the server. The page is ours (the web jar's
 * {@code index.html} and {@code swagger-initializer.js} load the petstore demo and are not served);
 * the Swagger UI files come from the {@code org.webjars:swagger-ui} jar on the class path. Every
 * URL on the page is relative, so it works at the root, under {@code --root-path} and offline.
 * Thread-safe.
 */
public final class DocsEndpoints {
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    /** The web jar's demo page and its petstore configuration. */
    private static final Set<String> NOT_SERVED = Set.of("index.html", "swagger-initializer.js");

    private static final Map<String, String> TYPES =
            Map.of(
                    ".js", "text/javascript; charset=utf-8",
                    ".css", "text/css; charset=utf-8",
                    ".html", "text/html; charset=utf-8",
                    ".png", "image/png",
                    ".txt", "text/plain; charset=utf-8",
                    ".map", "application/json");
    private static final String CACHE = "public, max-age=86400";

    private final String folder;
    private final JarFiles jarFiles;
    private final String version;

    /**
     * @throws IllegalStateException if the Swagger UI web jar is not on the class path
     */
    public DocsEndpoints() {
        this.version = webjarVersion();
        this.folder = WEBJAR + version + "/";
        this.jarFiles = new JarFiles(folder, "Swagger UI file");
        if (jarFiles.get("swagger-ui-bundle.js").isEmpty()) {
            throw new IllegalStateException(
                    "The Swagger UI web jar " + version + " has no swagger-ui-bundle.js");
        }
    }

    private static String webjarVersion() {
        try (InputStream in =
                DocsEndpoints.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException(
                        "The Swagger UI web jar (org.webjars:swagger-ui) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isEmpty()) {
                throw new IllegalStateException("The Swagger UI web jar does not name its version");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + WEBJAR_POM, e);
        }
    }

    /** {@code GET /docs}: the page, with Swagger UI pointed at {@code openapi.json}. */
    public void page(HttpServerExchange exchange) {
        String root = InfoEndpoints.escape(PathPrefix.toRoot(exchange));
        String assets = root + "docs/swagger-ui/";
        String v = "?v=" + InfoEndpoints.escape(version);
        String html =
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        + "<title>monailabel API</title>\n"
                        + "<link rel=\"stylesheet\" href=\""
                        + assets
                        + "swagger-ui.css"
                        + v
                        + "\">\n"
                        + "<link rel=\"icon\" type=\"image/png\" href=\""
                        + assets
                        + "favicon-32x32.png"
                        + v
                        + "\" sizes=\"32x32\">\n"
                        + "<style>body { margin: 0; background: #fafafa; }</style>\n"
                        + "</head>\n<body>\n<div id=\"swagger-ui\"></div>\n"
                        + "<script src=\""
                        + assets
                        + "swagger-ui-bundle.js"
                        + v
                        + "\"></script>\n"
                        + "<script>\n"
                        + "window.ui = SwaggerUIBundle({\n"
                        + "  url: new URL(\""
                        + root
                        + "openapi.json\", window.location.href).href,\n"
                        + "  dom_id: \"#swagger-ui\",\n"
                        + "  deepLinking: true,\n"
                        + "  validatorUrl: null,\n"
                        + "  presets: [SwaggerUIBundle.presets.apis],\n"
                        + "  layout: \"BaseLayout\"\n"
                        + "});\n"
                        + "</script>\n</body>\n</html>\n";
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    /**
     * {@code GET /docs/swagger-ui/{file}}: a file of the web jar's folder; never a path out of it.
     */
    public void file(HttpServerExchange exchange) {
        String name = Http.pathParam(exchange, "file");
        if (name.contains("/")
                || name.contains("\\")
                || name.contains("..")
                || name.startsWith(".")
                || name.contains("%")
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(
                    "A Swagger UI file name must not start with '.' or contain '/', '\\', "
                            + "'..', '%' or control characters");
        }
        byte[] bytes = NOT_SERVED.contains(name) ? null : jarFiles.get(name).orElse(null);
        if (bytes == null) {
            throw new NotFoundException("No Swagger UI file '" + name + "'");
        }
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot).toLowerCase(Locale.ROOT));
        JarFiles.send(exchange, bytes, type == null ? "application/octet-stream" : type, CACHE);
    }
}
