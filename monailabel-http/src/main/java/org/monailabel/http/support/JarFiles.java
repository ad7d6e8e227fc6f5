package org.monailabel.http.support;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of one folder of the server's class path (a web jar's, the page's own), each read once
 * and kept, and sent with a type and a {@code Cache-Control}. Thread-safe.
 */
public final class JarFiles {
    private final String folder;
    private final String what;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>(); // only names it has

    /**
     * @param folder the class-path folder, ending in {@code /}
     * @param what how error messages name the files ({@code Swagger UI file})
     */
    public JarFiles(String folder, String what) {
        this.folder = folder;
        this.what = what;
    }

    /** The bytes of a file of the folder; empty if there is no such file. */
    public Optional<byte[]> get(String name) {
        byte[] cached = files.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = JarFiles.class.getClassLoader().getResourceAsStream(folder + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            files.putIfAbsent(name, bytes);
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + what + " " + name, e);
        }
    }

    /** Sends bytes with a Content-Type, a Cache-Control and their length. */
    public static void send(
            HttpServerExchange exchange, byte[] bytes, String type, String cacheControl) {
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, type)
                .put(Headers.CACHE_CONTROL, cacheControl);
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }
}
