package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.DatastoreStats;
import org.monailabel.engine.JobKind;
import org.monailabel.engine.jobs.Job;
import org.monailabel.http.support.Metrics;

/**
 * {@code GET /metrics}: Prometheus' text format (0.0.4) with the request metrics, inference queues
 * per model, the running jobs and their progress, datastore counts, and JVM and process memory.
 */
public final class MetricsEndpoint {
    private final Services services;
    private final Metrics metrics;

    public MetricsEndpoint(Services services, Metrics metrics) {
        this.services = Objects.requireNonNull(services, "services");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** {@code GET /metrics}. */
    public void metrics(HttpServerExchange exchange) {
        StringBuilder out = new StringBuilder(8192);
        metrics.write(out);

        // one reading for both gauges, so that running and waiting add up to one moment's load
        java.util.Map<String, java.util.Map<String, Integer>> load =
                services.monaiLabel().inferenceLoad();
        for (String gauge : java.util.List.of("running", "waiting")) {
            gauge(
                    out,
                    "monailabel_inference_" + gauge,
                    gauge.equals("running")
                            ? "Inference requests running per model."
                            : "Inference requests waiting in a model's queue.");
            load.forEach(
                    (model, l) ->
                            sample(
                                    out,
                                    "monailabel_inference_" + gauge,
                                    "model",
                                    model,
                                    l.get(gauge)));
        }

        gauge(out, "monailabel_job_running", "Background jobs running (1) or not (0) by kind.");
        for (JobKind kind : JobKind.values()) {
            Optional<Job> running = services.monaiLabel().running(kind);
            sample(
                    out,
                    "monailabel_job_running",
                    "kind",
                    kind.name().toLowerCase(java.util.Locale.ROOT),
                    running.isPresent() ? 1 : 0);
        }
        gauge(
                out,
                "monailabel_training_progress",
                "The running training job's latest numbers (epoch, loss, metrics).");
        services.monaiLabel()
                .running(JobKind.TRAIN)
                .ifPresent(
                        job ->
                                job.progress()
                                        .forEach(
                                                (key, value) -> {
                                                    if (value instanceof Number n) {
                                                        out.append(
                                                                        "monailabel_training_progress{job=\"")
                                                                .append(Metrics.escape(job.name()))
                                                                .append("\",stat=\"")
                                                                .append(Metrics.escape(key))
                                                                .append("\"} ")
                                                                .append(
                                                                        Metrics.number(
                                                                                n.doubleValue()))
                                                                .append('\n');
                                                    }
                                                }));

        DatastoreStats stats = services.datastore().stats();
        gauge(out, "monailabel_datastore_images", "Images in the datastore.");
        out.append("monailabel_datastore_images ").append(stats.total()).append('\n');
        gauge(out, "monailabel_datastore_completed", "Images with a final label.");
        out.append("monailabel_datastore_completed ").append(stats.completed()).append('\n');
        gauge(out, "monailabel_datastore_labels", "Labels per tag.");
        stats.labelTags()
                .forEach((tag, n) -> sample(out, "monailabel_datastore_labels", "tag", tag, n));

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        gauge(out, "monailabel_jvm_memory_used_bytes", "JVM memory used by area.");
        sample(
                out,
                "monailabel_jvm_memory_used_bytes",
                "area",
                "heap",
                memory.getHeapMemoryUsage().getUsed());
        sample(
                out,
                "monailabel_jvm_memory_used_bytes",
                "area",
                "nonheap",
                memory.getNonHeapMemoryUsage().getUsed());
        gauge(out, "monailabel_jvm_memory_max_bytes", "The JVM heap's limit.");
        out.append("monailabel_jvm_memory_max_bytes ")
                .append(Math.max(0, memory.getHeapMemoryUsage().getMax()))
                .append('\n');
        long rss = residentBytes();
        if (rss >= 0) {
            gauge(
                    out,
                    "monailabel_process_resident_memory_bytes",
                    "Resident memory of the process (heap, native PyTorch memory and the rest).");
            out.append("monailabel_process_resident_memory_bytes ").append(rss).append('\n');
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    private static void gauge(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void sample(
            StringBuilder out, String name, String label, String value, Number n) {
        out.append(name)
                .append('{')
                .append(label)
                .append("=\"")
                .append(Metrics.escape(value))
                .append("\"} ")
                .append(Metrics.number(n == null ? 0 : n.doubleValue()))
                .append('\n');
    }

    /** VmRSS of /proc/self/status, or -1 where there is none. */
    private static long residentBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String l : lines) {
                if (l.startsWith("VmRSS:")) {
                    String[] parts = l.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
