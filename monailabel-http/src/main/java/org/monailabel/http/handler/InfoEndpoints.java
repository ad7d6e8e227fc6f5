package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.Params;
import org.monailabel.api.TrainerInfo;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;
import org.monailabel.http.support.PathPrefix;

/** {@code /info/}, {@code /activelearning/{strategy}} and the home page. */
public final class InfoEndpoints {
    private final Services services;

    public InfoEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /**
     * {@code GET /info/}: the app description (docs/rest-api.md §3); never a top-level {@code
     * config}.
     */
    public void info(HttpServerExchange exchange) {
        Json.send(exchange, describe());
    }

    Map<String, Object> describe() {
        AppsInfo apps = services.monaiLabel().info();
        Map<String, Object> info = new LinkedHashMap<>();
        List<String> appNames = apps.apps().stream().map(AppStatus::name).toList();
        info.put(
                "name",
                "MONAILabel - "
                        + (appNames.isEmpty() ? "no app" : String.join(", ", appNames))
                        + " ("
                        + services.version()
                        + ")");
        info.put("description", "MONAI Label for the JVM");
        info.put("version", services.version());
        info.put("labels", labels(apps.models().values()));
        Map<String, Object> models = new LinkedHashMap<>();
        apps.models().forEach((name, m) -> models.put(name, model(m)));
        info.put("models", models);
        Map<String, Object> trainers = new LinkedHashMap<>();
        apps.trainers().forEach((name, t) -> trainers.put(name, trainer(t)));
        info.put("trainers", trainers);
        info.put("strategies", components(apps.strategies()));
        info.put("scoring", components(apps.scoring()));
        Map<String, Object> stats = new LinkedHashMap<>();
        apps.trainers()
                .keySet()
                .forEach(name -> stats.put(name, services.monaiLabel().trainStats(name)));
        info.put("train_stats", stats);
        info.put("datastore", datastoreStats(services.datastore().stats()));
        List<Object> statuses = new ArrayList<>();
        for (AppStatus s : apps.apps()) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("name", s.name());
            status.put("source", s.source());
            status.put("state", s.state().name());
            s.error().ifPresent(e -> status.put("error", e));
            status.put("tasks", s.tasks());
            statuses.add(status);
        }
        info.put("apps", statuses);
        return info;
    }

    /** Model label names in order: each model's labels by index, names not seen yet appended. */
    static List<String> labels(Iterable<ModelInfo> models) {
        Set<String> names = new LinkedHashSet<>();
        for (ModelInfo m : models) {
            m.labels().entrySet().stream()
                    .sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
                    .forEach(e -> names.add(e.getKey()));
        }
        return List.copyOf(names);
    }

    private static Map<String, Object> model(ModelInfo m) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", m.type().wireName());
        json.put("labels", m.labels());
        json.put("dimension", m.dimension());
        json.put("description", m.description());
        json.put("config", m.config());
        return json;
    }

    private static Map<String, Object> trainer(TrainerInfo t) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("description", t.description());
        json.put("config", t.config());
        if (!t.labels().isEmpty()) {
            json.put("labels", t.labels());
        }
        return json;
    }

    private static Map<String, Object> components(Map<String, ComponentInfo> components) {
        Map<String, Object> json = new LinkedHashMap<>();
        components.forEach((name, c) -> json.put(name, Map.of("description", c.description())));
        return json;
    }

    static Map<String, Object> datastoreStats(DatastoreStats stats) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("total", stats.total());
        json.put("completed", stats.completed());
        json.put("label_tags", stats.labelTags());
        return json;
    }

    /**
     * {@code POST /activelearning/{strategy}}: the next sample with its info and absolute path, or
     * {}.
     */
    public void nextSample(HttpServerExchange exchange) throws IOException {
        String strategy = Http.pathParam(exchange, "strategy");
        Map<String, Object> body = Json.body(exchange);
        Map<String, Object> sample =
                new LinkedHashMap<>(
                        services.monaiLabel()
                                .nextSample(
                                        strategy,
                                        Params.of(body),
                                        DatastoreEndpoints.actor(exchange)));
        if (sample.get("id") instanceof String id) {
            sample.put("path", services.datastore().imageFile(id).toAbsolutePath().toString());
            // Slicer downloads it next without a token
            services.authentication().grantDownload(Http.clientAddress(exchange), id);
        }
        Json.send(exchange, sample);
    }

    /**
     * {@code GET /}: a small page naming the server and its endpoints, linking to {@code /docs} and
     * {@code /openapi.json} (a 200 for connectivity probes).
     */
    public void home(HttpServerExchange exchange) {
        Map<String, Object> info = describe();
        StringBuilder html = new StringBuilder();
        html.append(
                "<!DOCTYPE html><html><head><meta"
                        + " charset=\"utf-8\"><title>monailabel</title></head><body>");
        html.append("<h1>").append(escape(String.valueOf(info.get("name")))).append("</h1>");
        html.append(
                "<p>A MONAI Label server: connect 3D Slicer's MONAILabel module (or MONAI Label's"
                        + " Python client) to this URL.</p>");
        html.append("<p>Models: ")
                .append(escape(String.valueOf(((Map<?, ?>) info.get("models")).keySet())))
                .append("<br>Strategies: ")
                .append(escape(String.valueOf(((Map<?, ?>) info.get("strategies")).keySet())))
                .append("<br>Datastore: ")
                .append(escape(String.valueOf(info.get("datastore"))))
                .append("</p>");
        html.append("<ul>");
        for (String e :
                List.of(
                        "GET /info/",
                        "POST /activelearning/{strategy}",
                        "GET /datastore/?output=stats|all|train",
                        "GET|HEAD|PUT|DELETE /datastore/image",
                        "GET|HEAD|PUT|DELETE /datastore/label",
                        "POST /infer/{model}",
                        "PUT /session/",
                        "GET|POST|DELETE /train/",
                        "GET|POST|DELETE /scoring/",
                        "GET|POST|DELETE /batch/infer",
                        "GET /model/{model}",
                        "GET /logs/",
                        "GET /openapi.json",
                        "GET /docs")) {
            html.append("<li><code>").append(escape(e)).append("</code></li>");
        }
        html.append("</ul>");
        String root = escape(PathPrefix.toRoot(exchange));
        html.append("<p>Annotate in the browser: <a href=\"")
                .append(root)
                .append("ui/\" data-testid=\"open-ui\">the annotation page</a>.</p>");
        html.append("<p>The whole API: <a href=\"")
                .append(root)
                .append("docs\">documentation</a> (Swagger UI) and <a href=\"")
                .append(root)
                .append("openapi.json\">openapi.json</a>.</p>");
        html.append("</body></html>");
        byte[] bytes = html.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
