package org.monailabel.http.support;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.concurrent.atomic.AtomicLong;

/** A short id per request, for the log ({@code requestId} in the MDC) and error replies. */
public final class RequestIds {
    private static final AttachmentKey<String> KEY = AttachmentKey.create(String.class);
    private static final AtomicLong counter = new AtomicLong();
    private static final String PREFIX = Long.toString(System.currentTimeMillis() % 1_000_000L, 36);

    private RequestIds() {}

    /** The request's id, created on first use. */
    public static String of(HttpServerExchange exchange) {
        String id = exchange.getAttachment(KEY);
        if (id == null) {
            id = PREFIX + "-" + Long.toString(counter.incrementAndGet(), 36);
            exchange.putAttachment(KEY, id);
        }
        return id;
    }
}
