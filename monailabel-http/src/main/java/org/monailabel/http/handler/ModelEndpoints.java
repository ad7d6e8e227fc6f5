package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.Models;
import org.monailabel.engine.WeightsInfo;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/**
 * {@code /model/{model}} (docs/rest-api.md §10): the published weights of a model, through {@link
 * Models}. {@code GET} downloads them, {@code GET /model/info/{model}} describes them, {@code PUT}
 * publishes uploaded weights as a new version with the current card, {@code DELETE} moves the
 * current card and weights aside. The serving task swaps at once.
 */
public final class ModelEndpoints {
    private final Services services;

    public ModelEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    private Models models() {
        return services.monaiLabel().models();
    }

    /** {@code GET /model/{model}}: the weights file, named {@code <model><ext>}. */
    public void download(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        Path weights = models().weights(model);
        String name = weights.getFileName().toString();
        int dot = name.indexOf('.');
        Downloads.send(exchange, weights, model + (dot < 0 ? "" : name.substring(dot)));
    }

    /** {@code GET /model/info/{model}}: checksum, modification time and training stats. */
    public void info(HttpServerExchange exchange) throws IOException {
        Json.send(exchange, toJson(models().describe(Http.pathParam(exchange, "model"))));
    }

    /**
     * {@code PUT /model/{model}} with a multipart {@code file}: the weights become a new version if
     * they load with the current card; otherwise 400 and nothing changes.
     */
    public void upload(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        models().store(model); // unknown model: 404 before the upload is read
        Form form = services.forms().parse(exchange);
        Form.FilePart file =
                form.file("file")
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "Expected multipart/form-data with a file part"
                                                        + " 'file' (the weights)"));
        Json.send(
                exchange,
                toJson(
                        models().upload(
                                        model,
                                        file.file(),
                                        file.clientName(),
                                        DatastoreEndpoints.actor(exchange))));
    }

    /**
     * {@code DELETE /model/{model}}: renames the current card and weights to {@code
     * <file>.<YYYYmmdd_HHMMSS>.deleted}; the model then answers 409 until a version is published
     * again.
     */
    public void delete(HttpServerExchange exchange) throws IOException {
        models().remove(Http.pathParam(exchange, "model"), DatastoreEndpoints.actor(exchange));
        Json.send(exchange, Map.of());
    }

    /**
     * {@code GET /model/{model}/versions}: the kept versions (version, time, metric, provenance,
     * serving) and the one served.
     */
    public void versions(HttpServerExchange exchange) throws IOException {
        Json.send(exchange, models().versionHistory(Http.pathParam(exchange, "model")));
    }

    /**
     * {@code POST /model/{model}/rollback?version=N}: serves a kept version again; answers the
     * version history. 404 for a version not kept, 409 while training runs.
     */
    public void rollback(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        String value = Http.requiredQuery(exchange, "version");
        int version;
        try {
            version = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "Query parameter 'version' must be a version number, got '" + value + "'");
        }
        models().rollback(model, version);
        Json.send(exchange, models().versionHistory(model));
    }

    private static Map<String, Object> toJson(WeightsInfo info) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("checksum", "SHA256:" + info.sha256());
        json.put("modified_time", info.modifiedTime());
        if (!info.trainStats().isEmpty()) {
            json.put("train_stats", info.trainStats());
        }
        return json;
    }
}
