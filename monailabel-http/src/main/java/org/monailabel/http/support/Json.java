package org.monailabel.http.support;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.json.JsonTrees;

/** JSON replies and request bodies. Stateless. */
public final class Json {
    /** The largest JSON body accepted (params, info). */
    public static final int MAX_BODY = 8 * 1024 * 1024;

    private Json() {}

    /** Sends {@code value} (maps, lists, strings, numbers, booleans, null) as a 200 JSON reply. */
    public static void send(HttpServerExchange exchange, Object value) {
        send(exchange, 200, value);
    }

    /** Sends {@code value} as JSON with a status; sets Content-Length. */
    public static void send(HttpServerExchange exchange, int status, Object value) {
        byte[] bytes =
                JsonTrees.toCompactString(JsonTrees.toJson(value)).getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    /**
     * The JSON object in a text field such as {@code params}; an empty or blank text is {@code {}}.
     */
    public static Map<String, Object> parseObject(String text, String what) {
        if (text == null || text.isBlank()) {
            return new LinkedHashMap<>();
        }
        try {
            return JsonTrees.toJavaMap(JsonTrees.parseObject(text));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(
                    "'" + what + "' must be a JSON object: " + e.getMessage(), e);
        }
    }

    /**
     * The JSON object body of a POST (MONAI Label's params). An empty body is {@code {}}; a body
     * without Content-Type is JSON too (QuPath sends none); other non-JSON types are refused.
     */
    public static Map<String, Object> body(HttpServerExchange exchange) throws IOException {
        String type = Http.mediaType(exchange);
        byte[] bytes = Http.readSmallBody(exchange, MAX_BODY);
        if (bytes.length == 0) {
            return new LinkedHashMap<>();
        }
        if (!type.isEmpty()
                && !type.equals("application/json")
                && !type.endsWith("+json")
                && !type.equals("application/x-www-form-urlencoded")) {
            throw new InvalidInputException(
                    "Expected a JSON body (Content-Type application/json), got '" + type + "'");
        }
        return parseObject(new String(bytes, StandardCharsets.UTF_8), "body");
    }
}
