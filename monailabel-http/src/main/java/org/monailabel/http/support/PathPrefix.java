package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Serves the API both at the root and under a path prefix (a reverse proxy that forwards {@code
 * /monai/info/} unchanged): the prefix is stripped from the relative path the routes match.
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
        next.handleRequest(exchange);
    }
}
