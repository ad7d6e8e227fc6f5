package org.monailabel.http.handler;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.support.Json;
import org.monailabel.http.support.PathPrefix;

/**
 * {@code GET /openapi.json} (docs/rest-api.md §12.2): the OpenAPI description of every route. The
 * document is the resource {@value #RESOURCE}, maintained by hand beside the routing table (a test
 * keeps the two in step); the server fills in {@code info.version} and a {@code servers} entry for
 * the path prefix the document was fetched under. Thread-safe.
 */
public final class OpenApiEndpoint {
    /** The class path resource holding the document. */
    public static final String RESOURCE = "/org/monailabel/http/openapi.json";

    private final JsonObject document;

    /**
     * Reads the document once.
     *
     * @param version the server's version, for {@code info.version}
     * @throws IllegalStateException if the resource is missing or not a JSON object with {@code
     *     info}
     */
    public OpenApiEndpoint(String version) {
        Objects.requireNonNull(version, "version");
        JsonObject doc;
        try (InputStream in = OpenApiEndpoint.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "The OpenAPI document " + RESOURCE + " is missing from the class path");
            }
            doc = JsonTrees.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the OpenAPI document " + RESOURCE, e);
        }
        if (!(doc.get("info") instanceof JsonObject info)) {
            throw new IllegalStateException(
                    "The OpenAPI document " + RESOURCE + " has no info object");
        }
        info.addProperty("version", version);
        this.document = doc;
    }

    /**
     * Sends the document with {@code servers} naming the prefix of this request ({@code /} at the
     * root).
     */
    public void document(HttpServerExchange exchange) {
        String prefix = PathPrefix.of(exchange);
        JsonObject server = new JsonObject();
        server.addProperty("url", prefix.isEmpty() ? "/" : prefix);
        JsonArray servers = new JsonArray();
        servers.add(server);
        // a shallow copy in the document's key order; Json.send copies it deeply as it serializes
        JsonObject reply = new JsonObject();
        for (Map.Entry<String, JsonElement> e : document.entrySet()) {
            reply.add(e.getKey(), e.getKey().equals("servers") ? servers : e.getValue());
        }
        if (!reply.has("servers")) {
            reply.add("servers", servers);
        }
        Json.send(exchange, reply);
    }
}
