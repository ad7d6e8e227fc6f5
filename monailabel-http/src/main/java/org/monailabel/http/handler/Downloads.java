package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.MediaTypes;

/** Sends a file as a download: Content-Length, guessed Content-Type, Content-Disposition. */
final class Downloads {
    private Downloads() {}

    static void send(HttpServerExchange exchange, Path file, String fileName) throws IOException {
        long size = Files.size(file);
        exchange.setStatusCode(200);
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, MediaTypes.of(fileName))
                .put(Headers.CONTENT_DISPOSITION, Http.attachment(fileName));
        exchange.setResponseContentLength(size);
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.endExchange();
            return;
        }
        try (OutputStream out = exchange.getOutputStream()) {
            Files.copy(file, out);
        }
    }
}
