package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Normalizes the path the routes match: serves the API both at the root and under a path prefix (a
 * reverse proxy that forwards {@code /monai/info/} unchanged) by stripping the prefix, and drops a
 * trailing slash, so that both spellings of every route answer (docs/rest-api.md §1.1) without a
 * redirect. Routes are therefore declared without a trailing slash.
 */
public final class PathPrefix implements HttpHandler {
    private final String prefix;
    private final HttpHandler next;

    /**
     * @param prefix e.g. {@code /monai}; empty for none
     */
    public PathPrefix(String prefix, HttpHandler next) {
        this.prefix = normalize(prefix);
        this.next = Objects.requireNonNull(next, "next");
    }

    /** {@code monai/} → {@code /monai}; blank or {@code /} → empty. */
    public static String normalize(String prefix) {
        String p = Objects.requireNonNull(prefix, "prefix").trim();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            p = "/" + p;
        }
        return p;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!prefix.isEmpty()) {
            String path = exchange.getRelativePath();
            if (path.equals(prefix)) {
                exchange.setRelativePath("/");
            } else if (path.startsWith(prefix + "/")) {
                exchange.setRelativePath(path.substring(prefix.length()));
            }
        }
        String path = exchange.getRelativePath();
        if (path.length() > 1 && path.endsWith("/")) {
            exchange.setRelativePath(path.substring(0, path.length() - 1));
        }
        next.handleRequest(exchange);
    }

    /**
     * The prefix a request came under: {@code /monai} for {@code /monai/openapi.json} behind {@code
     * --root-path /monai}, empty for a request at the root. Call after this handler ran.
     */
    public static String of(HttpServerExchange exchange) {
        String full = exchange.getRequestPath();
        while (full.endsWith("/")) {
            full = full.substring(0, full.length() - 1);
        }
        String route = exchange.getRelativePath();
        if (route.equals("/")) {
            return full;
        }
        return full.endsWith(route) ? full.substring(0, full.length() - route.length()) : "";
    }

    /**
     * A relative reference from the request's URL to the folder the routes hang off (the root, or
     * the prefix the request came under), for links in pages that work at the root, under the
     * prefix, and behind a proxy that strips it: {@code ""} for {@code /monai/}, {@code "../"} for
     * {@code /monai/docs/}, {@code "monai/"} for {@code /monai}. Call after this handler ran.
     */
    public static String toRoot(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        String dir =
                path.substring(0, path.lastIndexOf('/') + 1); // what the browser resolves against
        String root = of(exchange) + "/";
        if (root.startsWith(dir)) {
            return root.substring(dir.length());
        }
        if (dir.startsWith(root)) {
            return "../"
                    .repeat(
                            (int)
                                    dir.substring(root.length())
                                            .chars()
                                            .filter(c -> c == '/')
                                            .count());
        }
        return root;
    }
}
