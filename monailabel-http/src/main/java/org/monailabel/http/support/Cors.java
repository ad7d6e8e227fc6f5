package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Objects;

/**
 * CORS as upstream configures it (docs/rest-api.md §1.6): every origin, method and header,
 * credentials allowed, so the request's {@code Origin} is echoed rather than {@code *}. Preflight
 * {@code OPTIONS} requests are answered here, on the IO thread (no blocking work).
 */
public final class Cors implements HttpHandler {
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_CREDENTIALS =
            new HttpString("Access-Control-Allow-Credentials");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString REQUEST_HEADERS =
            new HttpString("Access-Control-Request-Headers");
    private static final HttpString REQUEST_METHOD =
            new HttpString("Access-Control-Request-Method");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
    private static final HttpString VARY = new HttpString("Vary");
    private static final HttpString ORIGIN = new HttpString("Origin");

    private final HttpHandler next;

    public Cors(HttpHandler next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HeaderMap request = exchange.getRequestHeaders();
        if (exchange.getRequestMethod().equals(Methods.OPTIONS)
                && request.contains(ORIGIN)
                && request.contains(REQUEST_METHOD)) {
            addHeaders(exchange);
            HeaderMap response = exchange.getResponseHeaders();
            response.put(ALLOW_METHODS, "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
            String asked = request.getFirst(REQUEST_HEADERS);
            if (asked != null) {
                response.put(ALLOW_HEADERS, asked);
            }
            response.put(MAX_AGE, 600);
            exchange.setStatusCode(200);
            exchange.setResponseContentLength(0);
            exchange.endExchange();
            return;
        }
        addHeaders(exchange);
        next.handleRequest(exchange);
    }

    /** Adds the CORS headers of a normal reply when the request came with an {@code Origin}. */
    public static void addHeaders(HttpServerExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst(ORIGIN);
        if (origin != null) {
            HeaderMap response = exchange.getResponseHeaders();
            response.put(ALLOW_ORIGIN, origin);
            response.put(ALLOW_CREDENTIALS, "true");
            response.put(VARY, "Origin");
        }
    }
}
