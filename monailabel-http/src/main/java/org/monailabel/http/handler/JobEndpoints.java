package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.JobKind;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.Submission;
import org.monailabel.engine.jobs.Job;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/**
 * Training ({@code /train/}, docs/rest-api.md §8), scoring and batch inference ({@code /scoring/},
 * {@code /batch/infer}, docs/rest-api.md §9): each parses the request, calls {@link MonaiLabel}
 * once and writes the job record (or, with {@code run_sync=true}, the job's result).
 */
public final class JobEndpoints {
    private final Services services;

    public JobEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    private MonaiLabel monaiLabel() {
        return services.monaiLabel();
    }

    // ---- status and stop, shared ----

    private void status(HttpServerExchange exchange, JobKind kind) {
        String what = kind.label();
        if (Http.queryFlag(exchange, "check_if_running", false)) {
            Job job =
                    monaiLabel()
                            .running(kind)
                            .orElseThrow(
                                    () ->
                                            new NotFoundException(
                                                    "No " + what + " Tasks are currently Running"));
            Json.send(exchange, job.toJson());
            return;
        }
        if (Http.queryFlag(exchange, "all", false)) {
            List<Object> all = new ArrayList<>();
            monaiLabel().jobs(kind).forEach(j -> all.add(j.toJson()));
            if (all.isEmpty()) {
                throw new NotFoundException("No " + what + " Tasks Found");
            }
            Json.send(exchange, all);
            return;
        }
        Job latest =
                monaiLabel()
                        .latest(kind)
                        .orElseThrow(() -> new NotFoundException("No " + what + " Tasks Found"));
        Json.send(exchange, latest.toJson());
    }

    private void stop(HttpServerExchange exchange, JobKind kind) throws InterruptedException {
        Json.send(
                exchange,
                monaiLabel()
                        .stop(kind, DatastoreEndpoints.actor(exchange))
                        .map(Job::toJson)
                        .orElse(null));
    }

    private static void reply(HttpServerExchange exchange, Job job) throws InterruptedException {
        if (!Http.queryFlag(exchange, "run_sync", false)) {
            Json.send(exchange, job.toJson());
            return;
        }
        job.awaitEnd(Long.MAX_VALUE, TimeUnit.DAYS);
        Json.send(exchange, job.result().<Object>map(r -> r).orElse(job.toJson()));
    }

    private static void replyAll(HttpServerExchange exchange, Map<String, Submission> submitted) {
        Map<String, Object> reply = new LinkedHashMap<>();
        submitted.forEach(
                (name, s) -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("result", s.job().map(Job::toJson).orElse(null));
                    entry.put("detail", s.refusal().orElse(null));
                    reply.put(name, entry);
                });
        Json.send(exchange, reply);
    }

    private static boolean enqueue(HttpServerExchange exchange) {
        return Http.queryFlag(exchange, "enqueue", false);
    }

    // ---- training ----

    /** {@code GET /train/[?check_if_running=true][&all=true]}. */
    public void trainStatus(HttpServerExchange exchange) {
        status(exchange, JobKind.TRAIN);
    }

    /** {@code DELETE /train/}: the stopped task, or null when nothing runs. */
    public void trainStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, JobKind.TRAIN);
    }

    /** {@code POST /train/{model}?enqueue=&run_sync=}. */
    public void train(HttpServerExchange exchange) throws IOException, InterruptedException {
        String trainer = Http.pathParam(exchange, "model");
        reply(
                exchange,
                monaiLabel()
                        .train(
                                trainer,
                                Json.body(exchange),
                                enqueue(exchange),
                                DatastoreEndpoints.actor(exchange)));
    }

    /**
     * {@code POST /train/}: every trainer, enqueued; the body is flat params or keyed by trainer.
     */
    public void trainAll(HttpServerExchange exchange) throws IOException {
        replyAll(
                exchange,
                monaiLabel().trainAll(Json.body(exchange), DatastoreEndpoints.actor(exchange)));
    }

    // ---- scoring ----

    /** {@code GET /scoring/}. */
    public void scoringStatus(HttpServerExchange exchange) {
        status(exchange, JobKind.SCORING);
    }

    /** {@code DELETE /scoring/}. */
    public void scoringStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, JobKind.SCORING);
    }

    /** {@code POST /scoring/{method}?run_sync=&enqueue=}. */
    public void score(HttpServerExchange exchange) throws IOException, InterruptedException {
        String method = Http.pathParam(exchange, "method");
        reply(
                exchange,
                monaiLabel()
                        .score(
                                method,
                                Json.body(exchange),
                                enqueue(exchange),
                                DatastoreEndpoints.actor(exchange)));
    }

    /** {@code POST /scoring/}: every method, enqueued. */
    public void scoreAll(HttpServerExchange exchange) throws IOException {
        replyAll(
                exchange,
                monaiLabel().scoreAll(Json.body(exchange), DatastoreEndpoints.actor(exchange)));
    }

    // ---- batch inference ----

    /** {@code GET /batch/infer}. */
    public void batchStatus(HttpServerExchange exchange) {
        status(exchange, JobKind.BATCH_INFER);
    }

    /** {@code DELETE /batch/infer}. */
    public void batchStop(HttpServerExchange exchange) throws InterruptedException {
        stop(exchange, JobKind.BATCH_INFER);
    }

    /**
     * {@code POST /batch/infer/{model}?images=all|labeled|unlabeled&run_sync=}: runs the model on
     * each image and saves the results as labels (tag {@code label_tag}, default {@code original}).
     */
    public void batchInfer(HttpServerExchange exchange) throws IOException, InterruptedException {
        String model = Http.pathParam(exchange, "model");
        monaiLabel().model(model); // unknown model: 404 first
        String value = Http.query(exchange, "images").filter(s -> !s.isEmpty()).orElse("all");
        MonaiLabel.BatchImages images =
                MonaiLabel.BatchImages.parse(value)
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "Query parameter 'images' must be all, labeled or"
                                                        + " unlabeled"));
        reply(
                exchange,
                monaiLabel()
                        .batchInfer(
                                model,
                                images,
                                Json.body(exchange),
                                enqueue(exchange),
                                DatastoreEndpoints.actor(exchange)));
    }
}
