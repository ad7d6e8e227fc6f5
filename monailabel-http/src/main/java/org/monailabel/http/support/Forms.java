package org.monailabel.http.support;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.PayloadTooLargeException;

/**
 * Parses request forms: {@code multipart/form-data} (streamed, files spooled to {@code tmpDir}) and
 * {@code application/x-www-form-urlencoded}; a request without a body is an empty form. The form's
 * files are deleted when the exchange ends. Thread-safe.
 */
public final class Forms {
    private final Path tmpDir;
    private final long maxUploadBytes;

    /**
     * @param tmpDir where uploads are spooled (on the datastore's file system, so that keeping one
     *     is a rename)
     * @param maxUploadBytes the largest request body accepted
     */
    public Forms(Path tmpDir, long maxUploadBytes) throws IOException {
        this.tmpDir = Files.createDirectories(Objects.requireNonNull(tmpDir, "tmpDir"));
        this.maxUploadBytes = maxUploadBytes;
    }

    /** The upload limit in bytes. */
    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /** Parses the request's form; call on a worker thread (it blocks). */
    public Form parse(HttpServerExchange exchange) throws IOException {
        long declared = exchange.getRequestContentLength();
        if (declared > maxUploadBytes) {
            throw new PayloadTooLargeException(
                    "Upload of "
                            + declared
                            + " bytes exceeds the configured limit of "
                            + maxUploadBytes
                            + " bytes");
        }
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        String type = Http.mediaType(exchange);
        if (type.equals("multipart/form-data")) {
            Form form = new Form();
            exchange.addExchangeCompleteListener(
                    (ex, next) -> {
                        form.close();
                        next.proceed();
                    });
            new MultipartParser(
                            exchange.getInputStream(),
                            MultipartParser.boundaryOf(contentType),
                            maxUploadBytes,
                            Json.MAX_BODY,
                            tmpDir)
                    .parse(form);
            return form;
        }
        if (type.equals("application/x-www-form-urlencoded")) {
            byte[] body = Http.readSmallBody(exchange, Json.MAX_BODY);
            Form form = new Form();
            for (Map.Entry<String, List<String>> e :
                    Http.parseForm(new String(body, StandardCharsets.UTF_8)).entrySet()) {
                e.getValue().forEach(v -> form.addField(e.getKey(), v));
            }
            return form;
        }
        if (declared == 0
                || (declared < 0 && Http.readSmallBody(exchange, Json.MAX_BODY).length == 0)) {
            return Form.empty();
        }
        throw new InvalidInputException(
                "Expected multipart/form-data"
                        + (type.isEmpty()
                                ? " (no Content-Type was sent)"
                                : ", got '" + type + "'"));
    }
}
