package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Normalizes the path the routes match: serves the API both at the root and under a path prefix (a
 * reverse proxy that forwards {@code /monai/info/} unchanged) by stripping the prefix, and drops
 * a trailing slash, so that both spellings of every route answer (docs/rest-api.md §1.1) without a
 * redirect. Routes are therefore declared without a trailing slash.
 */
public final class PathPrefix implements HttpHandler {
    private final String prefix;
    private final HttpHandler next;

    /** @param prefix e.g. {@code /monai}; empty for none */
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
}
