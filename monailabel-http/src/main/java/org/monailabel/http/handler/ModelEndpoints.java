package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/**
 * {@code GET /model/{model}} and {@code GET /model/info/{model}} (reference 10): the published
 * weights of a model served from a card ({@code <modelsDir>/<app>/<model>/model.json}).
 */
public final class ModelEndpoints {
    private final Services services;

    public ModelEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /** {@code GET /model/{model}}: the weights file, named {@code <model><ext>}. */
    public void download(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        Path weights = weights(model);
        String name = weights.getFileName().toString();
        int dot = name.indexOf('.');
        Downloads.send(exchange, weights, model + (dot < 0 ? "" : name.substring(dot)));
    }

    /** {@code GET /model/info/{model}}: checksum, modification time and training stats. */
    public void info(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        Path weights = weights(model);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("checksum", "SHA256:" + DatastoreEndpoints.digest(weights, "SHA-256"));
        info.put("modified_time", Files.getLastModifiedTime(weights).toInstant().getEpochSecond());
        if (services.monaiLabel().info().trainers().containsKey(model)) {
            try (Lease<TrainTask> lease = services.monaiLabel().registry().trainer(model)) {
                Map<String, Object> stats = lease.call(TrainTask::stats);
                if (stats != null && !stats.isEmpty()) {
                    info.put("train_stats", stats);
                }
            } catch (MonaiLabelException e) {
                // unloaded meanwhile: no stats
            }
        }
        Json.send(exchange, info);
    }

    private Path weights(String model) throws IOException {
        String app;
        try (Lease<InferenceTask> lease = services.monaiLabel().registry().inference(model)) {
            app = lease.appName();
        }
        Path card = services.modelsDir().resolve(app).resolve(model).resolve(ModelCard.FILE_NAME).normalize();
        if (!card.startsWith(services.modelsDir()) || !Files.isRegularFile(card)) {
            throw new NotFoundException("Model File NOT Found for " + model);
        }
        Path weights = card.resolveSibling(ModelCard.read(card).weights());
        if (!Files.isRegularFile(weights)) {
            throw new NotFoundException("Model File NOT Found for " + model);
        }
        return weights;
    }
}
