package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/**
 * {@code /model/{model}} (docs/rest-api.md §10): the published weights of a model served from a card
 * ({@code <modelsDir>/<app>/<model>/model.json}, versions in {@code versions/v<N>/}, see {@link
 * ModelVersions}). {@code GET} downloads them, {@code GET /model/info/{model}} describes them,
 * {@code PUT} publishes uploaded weights as a new version with the current card, {@code DELETE}
 * moves the current card and weights aside. The serving task notices a new or missing card on its
 * next request. Uploads and deletes are refused while a training job runs (its publish would race
 * with theirs).
 */
public final class ModelEndpoints {
    private static final DateTimeFormatter DELETED_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");

    private final Services services;
    private final Object publishing = new Object(); // one upload or delete at a time

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
        Map<String, Object> info = describe(weights);
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

    /**
     * {@code PUT /model/{model}} with a multipart {@code file}: the weights become a new version
     * (one more than any kept) with the current card, if they load with it; otherwise 400 and
     * nothing changes. After a {@code DELETE}, the newest kept version's card is used.
     */
    public void upload(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        Path folder = folder(model);
        Form form = services.forms().parse(exchange);
        Form.FilePart file = form.file("file").orElseThrow(() ->
                new InvalidInputException("Expected multipart/form-data with a file part 'file' (the weights)"));
        Map<String, Object> reply;
        synchronized (publishing) {
            refuseWhileTraining(model);
            ModelVersions versions = new ModelVersions(folder, Integer.MAX_VALUE); // the trainer prunes
            ModelCard base = versions.latestCard()
                    .orElseThrow(() -> new NotFoundException("Model File NOT Found for " + model));
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("source", "upload");
            provenance.put("uploaded_at", Instant.now().toString());
            provenance.put("file_name", baseName(file.clientName()));
            provenance.put("card_of_version", base.version());
            ModelCard card = base.withVersion(versions.nextVersion(), provenance);
            try (InputStream in = Files.newInputStream(file.file())) {
                versions.publishVerified(card, in);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("Uploaded weights do not load with model '" + model
                        + "' (nothing changed): " + e.getMessage(), e);
            }
            reply = describe(weights(model));
        }
        Json.send(exchange, reply);
    }

    /**
     * {@code DELETE /model/{model}}: renames the current card and weights to {@code
     * <file>.<YYYYmmdd_HHMMSS>.deleted}. The model then answers 409 (no trained weights) until a
     * version is published again; the kept versions stay in {@code versions/}.
     */
    public void delete(HttpServerExchange exchange) throws IOException {
        String model = Http.pathParam(exchange, "model");
        Path folder = folder(model);
        synchronized (publishing) {
            refuseWhileTraining(model);
            String suffix = "." + DELETED_STAMP.format(LocalDateTime.now()) + ".deleted";
            if (!new ModelVersions(folder, Integer.MAX_VALUE).unpublish(suffix)) {
                throw new NotFoundException("Model File NOT Found for " + model);
            }
        }
        Json.send(exchange, Map.of());
    }

    private void refuseWhileTraining(String model) {
        services.training().running().ifPresent(job -> {
            throw new ConflictException("Training '" + job.name() + "' is running: stop it before changing the weights of '"
                    + model + "'");
        });
    }

    /** The last segment of a client's file name (browsers may send a full client path). */
    private static String baseName(String clientName) {
        String name = clientName.replace('\\', '/');
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static Map<String, Object> describe(Path weights) throws IOException {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("checksum", "SHA256:" + DatastoreEndpoints.digest(weights, "SHA-256"));
        info.put("modified_time", Files.getLastModifiedTime(weights).toInstant().getEpochSecond());
        return info;
    }

    /** The model's folder; unknown model: 404. */
    private Path folder(String model) {
        String app;
        try (Lease<InferenceTask> lease = services.monaiLabel().registry().inference(model)) {
            app = lease.appName();
        }
        Path folder = services.modelsDir().resolve(app).resolve(model).normalize();
        if (!folder.startsWith(services.modelsDir())) {
            throw new NotFoundException("Model File NOT Found for " + model);
        }
        return folder;
    }

    private Path weights(String model) throws IOException {
        Path card = folder(model).resolve(ModelCard.FILE_NAME);
        if (!Files.isRegularFile(card)) {
            throw new NotFoundException("Model File NOT Found for " + model);
        }
        Path weights = card.resolveSibling(ModelCard.read(card).weights());
        if (!Files.isRegularFile(weights)) {
            throw new NotFoundException("Model File NOT Found for " + model);
        }
        return weights;
    }
}
