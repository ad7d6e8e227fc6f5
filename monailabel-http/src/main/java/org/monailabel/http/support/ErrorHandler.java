package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.Objects;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.ErrorCode;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.TooManyAttemptsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the handler chain on the worker thread with the request id in the MDC and turns every
 * failure into a JSON {@code {"detail": ...}} reply (inside the dispatch, where the exceptions
 * are). 5xx are logged once with the stack trace (a busy model's 503 only as a line), 4xx at debug.
 * A 401 carries {@code WWW-Authenticate: Bearer}; a 503 or a sign-in lockout's 429 {@code
 * Retry-After}. A reply already started cannot be replaced: the connection is then closed.
 */
public final class ErrorHandler implements HttpHandler {
    private static final Logger logger = LoggerFactory.getLogger(ErrorHandler.class);

    /** Unread request bytes read off before an error reply, so that the client gets to see it. */
    private static final long DRAIN_CAP = 64L * 1024 * 1024;

    private final HttpHandler next;

    public ErrorHandler(HttpHandler next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String requestId = RequestIds.of(exchange);
        MDC.put("requestId", requestId);
        try {
            next.handleRequest(exchange);
        } catch (Exception | LinkageError | OutOfMemoryError e) {
            reply(exchange, e, requestId);
        } finally {
            MDC.remove("requestId");
        }
    }

    /** Sends the error reply for {@code e} (usable from other threads that finish an exchange). */
    public static void reply(HttpServerExchange exchange, Throwable e, String requestId) {
        ApiError error = ApiError.of(e, requestId);
        if (e instanceof BusyException) {
            logger.info(
                    "{} {} -> {}: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    error.status(),
                    error.detail()); // load, not a fault: no stack trace
        } else if (error.status() >= 500) {
            logger.error(
                    "{} {} failed: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    e.toString(),
                    e);
        } else {
            logger.debug(
                    "{} {} -> {}: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    error.status(),
                    error.detail());
        }
        if (exchange.isResponseStarted()) {
            try {
                exchange.getConnection().close(); // the client sees a cut reply, never a wrong one
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            return;
        }
        exchange.getResponseHeaders().clear();
        Cors.addHeaders(exchange);
        if (e instanceof BusyException busy) {
            exchange.getResponseHeaders()
                    .put(Headers.RETRY_AFTER, Math.max(1, busy.retryAfterSeconds()));
        } else if (e instanceof TooManyAttemptsException locked) {
            exchange.getResponseHeaders()
                    .put(Headers.RETRY_AFTER, Math.max(1, locked.retryAfterSeconds()));
        } else if (e instanceof MonaiLabelException m && m.code() == ErrorCode.UNAUTHORIZED) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
        }
        if (!exchange.isRequestComplete()) {
            if (error.status() == 413) {
                exchange.setPersistent(false);
                drainOversized(exchange); // so that the client, still sending, gets to read the 413
            } else {
                Http.drainQuietly(exchange, DRAIN_CAP);
                if (!exchange.isRequestComplete()) {
                    exchange.setPersistent(false);
                }
            }
        }
        Json.send(exchange, error.status(), error.toJson());
    }

    /**
     * Reads off a refused body of up to {@link #DRAIN_CAP} declared bytes. Closing with unread
     * bytes makes the kernel reset the connection, which can destroy the reply before the client
     * reads it. The server's entity limit would stop the read, so it is raised for this exchange
     * (possible only before the body was touched). A larger or undeclared body is not read: the
     * connection closes.
     */
    private static void drainOversized(HttpServerExchange exchange) {
        long declared = exchange.getRequestContentLength();
        if (declared < 0 || declared > DRAIN_CAP) {
            return;
        }
        try {
            exchange.setMaxEntitySize(declared);
        } catch (IllegalStateException started) {
            return; // the body is being read already: the server's own limit stands
        }
        Http.drainQuietly(exchange, DRAIN_CAP);
    }
}
