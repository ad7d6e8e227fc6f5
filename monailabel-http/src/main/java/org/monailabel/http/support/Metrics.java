package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request metrics for {@code /metrics}: requests by method, route (the matched template, e.g.
 * {@code /infer/{model}}, so that ids do not make a label each) and status, their latency, and the
 * latency of inference per model. Wrap the router in {@link #handler}; {@link #write} renders
 * Prometheus' text format. Thread-safe; recording is a few atomic additions at the end of each
 * exchange.
 */
public final class Metrics {
    /** Latency bucket bounds in seconds (Prometheus' defaults, extended for slow inference). */
    static final double[] BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
    };

    /** A latency histogram. */
    static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].increment();
                }
            }
            count.increment();
            sum.add(seconds);
        }
    }

    private record Key(String method, String route, int status) {}

    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> routeLatency = new ConcurrentHashMap<>();
    private final Map<String, Histogram> modelLatency = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();

    /** Records every exchange that passes through {@code next}. */
    public HttpHandler handler(HttpHandler next) {
        return exchange -> {
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            exchange.addExchangeCompleteListener(
                    (ex, nextListener) -> {
                        try {
                            record(ex, (System.nanoTime() - start) / 1e9);
                        } finally {
                            inFlight.decrementAndGet();
                            nextListener.proceed();
                        }
                    });
            next.handleRequest(exchange);
        };
    }

    private void record(HttpServerExchange exchange, double seconds) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String route = match == null ? "unmatched" : match.getMatchedTemplate();
        String method = exchange.getRequestMethod().toString();
        requests.computeIfAbsent(
                        new Key(method, route, exchange.getStatusCode()), k -> new LongAdder())
                .increment();
        routeLatency.computeIfAbsent(method + " " + route, k -> new Histogram()).observe(seconds);
        if (match != null
                && route.startsWith("/infer/")
                && exchange.getStatusCode() == 200
                && match.getParameters().get("model") != null) {
            modelLatency
                    .computeIfAbsent(match.getParameters().get("model"), k -> new Histogram())
                    .observe(seconds);
        }
    }

    /** Appends the request metrics in Prometheus' text format (0.0.4). */
    public void write(StringBuilder out) {
        out.append(
                "# HELP monailabel_http_requests_total HTTP requests by method, route and"
                        + " status.\n");
        out.append("# TYPE monailabel_http_requests_total counter\n");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach(
                (k, v) ->
                        sorted.put(
                                "{method=\""
                                        + escape(k.method())
                                        + "\",route=\""
                                        + escape(k.route())
                                        + "\",status=\""
                                        + k.status()
                                        + "\"}",
                                v.sum()));
        sorted.forEach(
                (labels, v) ->
                        out.append("monailabel_http_requests_total")
                                .append(labels)
                                .append(' ')
                                .append(v)
                                .append('\n'));
        out.append("# HELP monailabel_http_requests_in_flight HTTP requests being served.\n");
        out.append("# TYPE monailabel_http_requests_in_flight gauge\n");
        out.append("monailabel_http_requests_in_flight ").append(inFlight.get()).append('\n');
        histograms(
                out,
                "monailabel_http_request_duration_seconds",
                "HTTP request latency by method and route.",
                routeLatency,
                key -> {
                    int space = key.indexOf(' ');
                    return "method=\""
                            + escape(key.substring(0, space))
                            + "\",route=\""
                            + escape(key.substring(space + 1))
                            + "\"";
                });
        histograms(
                out,
                "monailabel_inference_duration_seconds",
                "Latency of successful inference requests per model, reply sent.",
                modelLatency,
                model -> "model=\"" + escape(model) + "\"");
    }

    private static void histograms(
            StringBuilder out,
            String name,
            String help,
            Map<String, Histogram> histograms,
            java.util.function.Function<String, String> labels) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(histograms)
                .forEach(
                        (key, h) -> {
                            String l = labels.apply(key);
                            for (int i = 0; i < BUCKETS.length; i++) {
                                out.append(name)
                                        .append("_bucket{")
                                        .append(l)
                                        .append(",le=\"")
                                        .append(number(BUCKETS[i]))
                                        .append("\"} ")
                                        .append(h.counts[i].sum())
                                        .append('\n');
                            }
                            long count = h.count.sum();
                            out.append(name)
                                    .append("_bucket{")
                                    .append(l)
                                    .append(",le=\"+Inf\"} ")
                                    .append(count)
                                    .append('\n');
                            out.append(name)
                                    .append("_sum{")
                                    .append(l)
                                    .append("} ")
                                    .append(number(h.sum.sum()))
                                    .append('\n');
                            out.append(name)
                                    .append("_count{")
                                    .append(l)
                                    .append("} ")
                                    .append(count)
                                    .append('\n');
                        });
    }

    /** A sample value as Prometheus writes it. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    /** A label value escaped as the text format wants (backslash, quote, new line). */
    public static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
