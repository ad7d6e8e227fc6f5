package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.Params;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobRunner;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.InferenceGate;
import org.monailabel.http.support.Json;

/** Training ({@code /train/}, docs/rest-api.md §8), scoring and batch inference ({@code /scoring/}, {@code /batch/infer}, docs/rest-api.md §9). */
public final class JobEndpoints {
    private final Services services;

    public JobEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    // ---- status and stop, shared ----

    private static void status(HttpServerExchange exchange, JobRunner runner, String what) {
        if (Http.queryFlag(exchange, "check_if_running", false)) {
            Job job = runner.running().orElseThrow(
                    () -> new NotFoundException("No " + what + " Tasks are currently Running"));
            Json.send(exchange, job.toJson());
            return;
        }
        if (Http.queryFlag(exchange, "all", false)) {
            List<Object> all = new ArrayList<>();
            runner.all().forEach(j -> all.add(j.toJson()));
            if (all.isEmpty()) {
                throw new NotFoundException("No " + what + " Tasks Found");
            }
            Json.send(exchange, all);
            return;
        }
        Job latest = runner.latest().orElseThrow(() -> new NotFoundException("No " + what + " Tasks Found"));
        Json.send(exchange, latest.toJson());
    }

    private void stop(HttpServerExchange exchange, JobRunner runner) throws InterruptedException {
        Optional<Job> job = runner.stop(Duration.ofSeconds(services.stopTimeoutSeconds()));
        Json.send(exchange, job.map(Job::toJson).orElse(null));
    }

    private static Object finish(Job job, boolean runSync) throws InterruptedException {
        if (!runSync) {
            return job.toJson();
        }
        job.awaitEnd(Long.MAX_VALUE, TimeUnit.DAYS);
        return job.result().<Object>map(r -> r).orElse(job.toJson());
    }

    // ---- training ----

    /** {@code GET /train/[?check_if_running=true][&all=true]}. */
    public void trainStatus(HttpServerExchange exchange) {
        status(exchange, services.training(), "Train");
    }

    /** {@code DELETE /train/}: the stopped task, or null when nothing runs. */
    public void trainStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, services.training());
    }

    /** {@code POST /train/{model}?enqueue=&run_sync=}. */
    public void train(HttpServerExchange exchange) throws IOException, InterruptedException {
        String trainer = Http.pathParam(exchange, "model");
        Map<String, Object> body = Json.body(exchange);
        boolean enqueue = Http.queryFlag(exchange, "enqueue", false);
        Job job = submitTraining(trainer, body, enqueue);
        Json.send(exchange, finish(job, Http.queryFlag(exchange, "run_sync", false)));
    }

    private Job submitTraining(String trainer, Map<String, Object> body, boolean enqueue) {
        TrainerInfo info = services.monaiLabel().info().trainers().get(trainer);
        if (info == null) {
            throw new NotFoundException("Trainer '" + trainer + "' not found");
        }
        Params params = Params.of(body).withDefaults(info.config());
        Map<String, Object> request = new LinkedHashMap<>(params.asMap());
        request.put("model", trainer);
        return services.training().submit(trainer, request, enqueue, control -> {
            try (Lease<TrainTask> lease = services.monaiLabel().registry().trainer(trainer)) {
                return lease.call(task -> task.train(params, control));
            }
        });
    }

    /** {@code POST /train/}: every trainer, enqueued; the body is flat params or keyed by trainer. */
    public void trainAll(HttpServerExchange exchange) throws IOException {
        Map<String, Object> body = Json.body(exchange);
        Map<String, Object> reply = new LinkedHashMap<>();
        for (String trainer : services.monaiLabel().info().trainers().keySet()) {
            Map<String, Object> params = body.get(trainer) instanceof Map<?, ?> m ? castMap(m) : body;
            Map<String, Object> entry = new LinkedHashMap<>();
            try {
                entry.put("result", submitTraining(trainer, params, true).toJson());
                entry.put("detail", null);
            } catch (MonaiLabelException e) {
                entry.put("result", null);
                entry.put("detail", e.getMessage());
            }
            reply.put(trainer, entry);
        }
        Json.send(exchange, reply);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return new LinkedHashMap<>((Map<String, Object>) m);
    }

    // ---- scoring ----

    /** {@code GET /scoring/}. */
    public void scoringStatus(HttpServerExchange exchange) {
        status(exchange, services.scoring(), "Scoring");
    }

    /** {@code DELETE /scoring/}. */
    public void scoringStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, services.scoring());
    }

    /** {@code POST /scoring/{method}?run_sync=&enqueue=}. */
    public void score(HttpServerExchange exchange) throws IOException, InterruptedException {
        String method = Http.pathParam(exchange, "method");
        Map<String, Object> body = Json.body(exchange);
        Job job = submitScoring(method, body, Http.queryFlag(exchange, "enqueue", false));
        Json.send(exchange, finish(job, Http.queryFlag(exchange, "run_sync", false)));
    }

    private Job submitScoring(String method, Map<String, Object> body, boolean enqueue) {
        if (!services.monaiLabel().info().scoring().containsKey(method)) {
            throw new NotFoundException("Scoring method '" + method + "' not found");
        }
        Map<String, Object> request = new LinkedHashMap<>(body);
        request.put("method", method);
        Params params = Params.of(body);
        return services.scoring().submit(method, request, enqueue, control -> {
            try (Lease<ScoringMethod> lease = services.monaiLabel().registry().scoring(method)) {
                return lease.call(task -> task.score(services.datastore(), params, control));
            }
        });
    }

    /** {@code POST /scoring/}: every method, enqueued. */
    public void scoreAll(HttpServerExchange exchange) throws IOException {
        Map<String, Object> body = Json.body(exchange);
        Map<String, Object> reply = new LinkedHashMap<>();
        for (String method : services.monaiLabel().info().scoring().keySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            try {
                entry.put("result", submitScoring(method, body, true).toJson());
                entry.put("detail", null);
            } catch (MonaiLabelException e) {
                entry.put("result", null);
                entry.put("detail", e.getMessage());
            }
            reply.put(method, entry);
        }
        Json.send(exchange, reply);
    }

    // ---- batch inference ----

    /** {@code GET /batch/infer}. */
    public void batchStatus(HttpServerExchange exchange) {
        status(exchange, services.batch(), "Batch Infer");
    }

    /** {@code DELETE /batch/infer}. */
    public void batchStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, services.batch());
    }

    /**
     * {@code POST /batch/infer/{model}?images=all|labeled|unlabeled&run_sync=}: runs the model on
     * each image and saves the results as labels (tag {@code label_tag}, default {@code original}).
     */
    public void batchInfer(HttpServerExchange exchange) throws IOException, InterruptedException {
        String model = Http.pathParam(exchange, "model");
        ModelInfo info = services.monaiLabel().info().models().get(model);
        if (info == null) {
            throw new NotFoundException("Model '" + model + "' not found");
        }
        String images = Http.query(exchange, "images").filter(s -> !s.isEmpty()).orElse("all");
        if (!List.of("all", "labeled", "unlabeled").contains(images)) {
            throw new InvalidInputException("Query parameter 'images' must be all, labeled or unlabeled");
        }
        Map<String, Object> body = Json.body(exchange);
        Params params = Params.of(body).withDefaults(info.config());
        String tag = params.getString("label_tag", Datastore.ORIGINAL);
        Map<String, Object> request = new LinkedHashMap<>(body);
        request.put("model", model);
        request.put("images", images);
        Job job = services.batch().submit(model, request, Http.queryFlag(exchange, "enqueue", false),
                control -> {
                    Datastore datastore = services.datastore();
                    List<String> ids = switch (images) {
                        case "labeled" -> datastore.labeledImageIds(Datastore.FINAL);
                        case "unlabeled" -> datastore.unlabeledImageIds(Datastore.FINAL);
                        default -> datastore.imageIds();
                    };
                    Map<String, Object> results = new LinkedHashMap<>();
                    int done = 0;
                    for (String id : ids) {
                        if (control.stopRequested()) {
                            break;
                        }
                        results.put(id, inferOne(model, id, params, tag));
                        done++;
                        control.progress(Map.of("done", done, "total", ids.size()));
                        control.log("Image '" + id + "' done (" + done + "/" + ids.size() + ")");
                    }
                    return results;
                });
        Json.send(exchange, finish(job, Http.queryFlag(exchange, "run_sync", false)));
    }

    private Map<String, Object> inferOne(String model, String id, Params params, String tag) throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createDirectories(
                services.workDir().resolve("infer").resolve(java.util.UUID.randomUUID().toString()));
        try (InferenceGate.Permit permit = services.gate().enterWaiting(model)) {
            InferenceRequest request = new InferenceRequest(model, services.datastore().imageFile(id), Optional.of(id),
                    params, Optional.empty(), work);
            InferenceResult result = services.monaiLabel().infer(model, request);
            if (result.file().isPresent()) {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("model", model);
                info.put("params", result.json());
                java.nio.file.Path file = result.file().get();
                services.datastore().saveLabel(id, tag, file, file.getFileName().toString(), info);
            }
            return result.json();
        } finally {
            InferEndpoints.deleteTree(work);
        }
    }
}
