package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.monailabel.api.Datastore;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.Actor;
import org.monailabel.engine.Checksums;
import org.monailabel.engine.LabelFile;
import org.monailabel.engine.Labels;
import org.monailabel.engine.Precondition;
import org.monailabel.engine.Review;
import org.monailabel.engine.ReviewState;
import org.monailabel.engine.ReviewedLabel;
import org.monailabel.engine.Upload;
import org.monailabel.engine.datastore.LabelVersion;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/** The {@code /datastore/...} family (docs/rest-api.md §4). */
public final class DatastoreEndpoints {
    private final Services services;
    private final Datastore datastore;

    public DatastoreEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
        this.datastore = services.datastore();
    }

    /** {@code GET /datastore/?output=stats|all|train}. */
    public void list(HttpServerExchange exchange) throws IOException {
        String output = Http.query(exchange, "output").filter(s -> !s.isEmpty()).orElse("stats");
        switch (output) {
            case "stats" -> Json.send(exchange, InfoEndpoints.datastoreStats(datastore.stats()));
            case "all" -> Json.send(exchange, datastore.toJson());
            case "train" -> {
                List<Object> pairs = new ArrayList<>();
                for (TrainingPair p : datastore.trainingPairs(Datastore.FINAL)) {
                    pairs.add(
                            Map.of(
                                    "image",
                                    p.image().toAbsolutePath().toString(),
                                    "label",
                                    p.label().toAbsolutePath().toString()));
                }
                Json.send(exchange, pairs);
            }
            default ->
                    throw new InvalidInputException(
                            "Query parameter 'output' must be stats, all or train, got '"
                                    + output
                                    + "'");
        }
    }

    /**
     * {@code PUT /datastore/?image=ID} and {@code PUT /datastore/image?image=ID}: multipart {@code
     * file} + {@code params}.
     */
    public void uploadImage(HttpServerExchange exchange) throws IOException {
        Optional<String> given = Http.query(exchange, "image").filter(s -> !s.isEmpty());
        Form form = services.forms().parse(exchange);
        Form.FilePart file =
                form.file("file")
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "Expected a multipart file part 'file'"));
        Upload upload = new Upload(file.file(), file.clientName());
        String id = given.orElseGet(() -> idFromFileName(upload));
        Map<String, Object> info = Json.parseObject(form.field("params").orElse(""), "params");
        info.putIfAbsent("user", "admin");
        checkId(id);
        // checks the content; the spooled part becomes the image
        String stored = services.monaiLabel().images().add(id, upload, info, actor(exchange));
        Json.send(exchange, Map.of("image", stored));
    }

    /** The id for an upload without {@code image}: the file name minus its extension. */
    static String idFromFileName(Upload upload) {
        String name = upload.fileName();
        String id = name.substring(0, name.length() - upload.extension().length());
        if (id.isEmpty()) {
            throw new InvalidInputException(
                    "Cannot derive an image id from the file name; give 'image'");
        }
        return id;
    }

    /** Refuses malformed ids before anything is read or written (the datastore checks again). */
    private void checkId(String id) {
        if (id.isEmpty()
                || id.contains("/")
                || id.contains("\\")
                || id.contains("..")
                || id.startsWith(".")
                || id.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(
                    "Image id must not be empty, start with '.', or contain '/', '\\', '..' or "
                            + "control characters");
        }
    }

    /** {@code GET|HEAD /datastore/image?image=ID[&check_sum=ALGO:HEX]}. */
    public void downloadImage(HttpServerExchange exchange) throws IOException {
        String id = Http.requiredQuery(exchange, "image");
        Path file = imageFile(id);
        Optional<String> checksum = Http.query(exchange, "check_sum").filter(s -> !s.isEmpty());
        if (checksum.isPresent() && !matches(file, checksum.get())) {
            throw new NotFoundException("Image '" + id + "' does not match the checksum");
        }
        if (exchange.getRequestMethod().equals(Methods.GET)) {
            services.monaiLabel().prefetch(id); // the client clicks on it next
        }
        Downloads.send(exchange, file, datastore.imageFileName(id));
    }

    private Path imageFile(String id) throws IOException {
        if (!datastore.hasImage(id)) {
            checkId(id);
            throw new NotFoundException("Image NOT Found or is a directory: '" + id + "'");
        }
        return datastore.imageFile(id);
    }

    static boolean matches(Path file, String checksum) throws IOException {
        int colon = checksum.indexOf(':');
        String algorithm =
                colon < 0 ? "SHA256" : checksum.substring(0, colon).trim().toUpperCase(Locale.ROOT);
        String hex =
                (colon < 0 ? checksum : checksum.substring(colon + 1))
                        .trim()
                        .toLowerCase(Locale.ROOT);
        String jca =
                switch (algorithm) {
                    case "SHA256", "SHA-256" -> "SHA-256";
                    case "SHA512", "SHA-512" -> "SHA-512";
                    case "MD5" -> "MD5";
                    default ->
                            throw new InvalidInputException(
                                    "check_sum algorithm must be SHA256, SHA512 or MD5");
                };
        return Checksums.hex(file, jca).equals(hex);
    }

    /** {@code DELETE /datastore/image?id=ID} (and {@code DELETE /datastore/?id=ID}). */
    public void deleteImage(HttpServerExchange exchange) throws IOException {
        String id =
                Http.query(exchange, "id")
                        .or(() -> Http.query(exchange, "image"))
                        .filter(s -> !s.isEmpty())
                        .orElseThrow(
                                () -> new InvalidInputException("Missing query parameter 'id'"));
        imageFile(id);
        services.monaiLabel().images().remove(id, actor(exchange));
        Json.send(exchange, Map.of());
    }

    /** Who makes the request: the signed-in user (or anonymous) and the client's address. */
    static Actor actor(HttpServerExchange exchange) {
        return new Actor(Http.user(exchange), Http.clientAddress(exchange));
    }

    /** The request's {@code If-Match} and {@code If-None-Match}. */
    static Precondition precondition(HttpServerExchange exchange) {
        return Precondition.of(
                Optional.ofNullable(exchange.getRequestHeaders().getFirst(Headers.IF_MATCH)),
                Optional.ofNullable(exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH)));
    }

    /**
     * {@code PUT /datastore/label?image=ID[&tag=TAG]}: multipart {@code label} + {@code params};
     * with {@code If-Match: <ETag>} only while that version is current (else 409), with {@code
     * If-None-Match: *} only if there is no label yet. The reply carries the new version's {@code
     * ETag}.
     */
    public void saveLabel(HttpServerExchange exchange) throws IOException {
        String id = Http.requiredQuery(exchange, "image");
        String tag = tag(exchange, Datastore.FINAL);
        Precondition precondition = precondition(exchange); // a malformed one: 400 before reading
        imageFile(id);
        Form form = services.forms().parse(exchange);
        Form.FilePart label =
                form.file("label")
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "Expected a multipart file part 'label'"));
        Map<String, Object> info = Json.parseObject(form.field("params").orElse(""), "params");
        // checks the content; the spooled part becomes the label
        Optional<LabelVersion> version =
                services.monaiLabel()
                        .labels()
                        .save(
                                id,
                                tag,
                                new Upload(label.file(), label.clientName()),
                                info,
                                actor(exchange),
                                precondition);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("image", id);
        reply.put("label", id);
        if (version.isPresent()) {
            reply.put("version", version.get().version());
            exchange.getResponseHeaders().put(Headers.ETAG, version.get().etag());
        }
        Json.send(exchange, reply);
    }

    private static String tag(HttpServerExchange exchange, String defaultTag) {
        String tag =
                Http.query(exchange, "tag")
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .orElse(defaultTag);
        if (tag.contains("/")
                || tag.contains("\\")
                || tag.contains("..")
                || tag.startsWith(".")
                || tag.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(
                    "Label tag must not start with '.' or contain '/', '\\', '..' or control "
                            + "characters");
        }
        return tag;
    }

    private static String labelId(HttpServerExchange exchange) {
        return Http.query(exchange, "label")
                .or(() -> Http.query(exchange, "image"))
                .filter(s -> !s.isEmpty())
                .orElseThrow(() -> new InvalidInputException("Missing query parameter 'label'"));
    }

    /**
     * {@code GET /datastore/label?label=ID&tag=TAG[&version=N]} and {@code HEAD
     * /datastore/label?image=ID&tag=TAG}: the current label, or version {@code N} from its history,
     * with its {@code ETag}; 304 when {@code If-None-Match} names it.
     */
    public void downloadLabel(HttpServerExchange exchange) throws IOException {
        String id = labelId(exchange);
        String tag = tag(exchange, Datastore.FINAL);
        imageFile(id);
        long version = Http.queryLong(exchange, "version", 0);
        LabelFile label;
        if (version != 0) {
            if (version < 1 || version > Integer.MAX_VALUE) {
                throw new InvalidInputException("Query parameter 'version' must be 1 or more");
            }
            label = services.monaiLabel().labels().version(id, tag, (int) version);
        } else {
            label =
                    services.monaiLabel()
                            .labels()
                            .current(id, tag)
                            .orElseThrow(
                                    () ->
                                            new NotFoundException(
                                                    "Label NOT Found or is a directory: '"
                                                            + id
                                                            + "' tag '"
                                                            + tag
                                                            + "'"));
        }
        if (label.version().isPresent()) {
            String etag = label.version().get().etag();
            exchange.getResponseHeaders().put(Headers.ETAG, etag);
            String ifNoneMatch = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
            if (ifNoneMatch != null && Precondition.names(ifNoneMatch, etag)) {
                exchange.setStatusCode(304);
                exchange.endExchange();
                return;
            }
        }
        Downloads.send(exchange, label.file(), label.fileName());
    }

    /**
     * {@code GET /datastore/label/history?label=ID&tag=TAG}: the label's versions, oldest first,
     * each with who made it, when, from where, which version it replaced and its file's size,
     * SHA-256 and ETag; {@code current} marks the version served now.
     */
    public void labelHistory(HttpServerExchange exchange) throws IOException {
        String id = labelId(exchange);
        String tag = tag(exchange, Datastore.FINAL);
        imageFile(id);
        List<LabelVersion> versions = services.monaiLabel().labels().history(id, tag);
        List<Object> reply = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            Map<String, Object> json = new LinkedHashMap<>(versions.get(i).toJson());
            json.put("current", i == versions.size() - 1 && !versions.get(i).removed());
            reply.add(json);
        }
        Json.send(exchange, reply);
    }

    /**
     * {@code PUT /datastore/label/review?label=ID&tag=TAG}: a JSON object (or form fields) {@code
     * state} ({@code pending}, {@code approved}, {@code rejected}; the Reviewer's {@code flagged}
     * too), optional {@code comment}, {@code level} ({@code easy}, {@code medium}, {@code hard})
     * and {@code reviewer} (only without sign-in); with {@code If-Match} only while that version is
     * current. Stored as the Slicer Reviewer stores it, in the label info's {@code
     * segmentationMeta}.
     */
    public void reviewLabel(HttpServerExchange exchange) throws IOException {
        String id = labelId(exchange);
        String tag = tag(exchange, Datastore.FINAL);
        Precondition precondition = precondition(exchange);
        imageFile(id);
        Map<String, Object> body = reviewBody(exchange);
        String stateText =
                body.get("state") instanceof String s
                        ? s
                        : body.get("status") instanceof String s2 ? s2 : null;
        if (stateText == null) {
            throw new InvalidInputException("Expected 'state': pending, approved or rejected");
        }
        ReviewState state =
                ReviewState.parse(stateText)
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "'state' must be pending, approved or rejected,"
                                                        + " got '"
                                                        + stateText
                                                        + "'"));
        Review review =
                new Review(
                        state,
                        text(body, "comment").orElse(""),
                        text(body, "level"),
                        text(body, "reviewer").filter(s -> !s.isBlank()));
        ReviewedLabel reviewed =
                services.monaiLabel()
                        .labels()
                        .review(id, tag, review, actor(exchange), precondition);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("label", id);
        reply.put("tag", tag);
        reply.put("state", reviewed.state().wireName());
        reply.put("version", reviewed.version().map(LabelVersion::version).orElse(null));
        reviewed.version()
                .ifPresent(v -> exchange.getResponseHeaders().put(Headers.ETAG, v.etag()));
        reply.put(Labels.SEGMENTATION_META, reviewed.segmentationMeta());
        Json.send(exchange, reply);
    }

    private Map<String, Object> reviewBody(HttpServerExchange exchange) throws IOException {
        String type = Http.mediaType(exchange);
        if (type.equals("multipart/form-data")
                || type.equals("application/x-www-form-urlencoded")) {
            Form form = services.forms().parse(exchange);
            Map<String, Object> fields = new LinkedHashMap<>();
            for (String key : List.of("state", "status", "comment", "level", "reviewer")) {
                form.field(key).ifPresent(v -> fields.put(key, v));
            }
            return fields;
        }
        return Json.body(exchange);
    }

    private static Optional<String> text(Map<String, Object> body, String key) {
        Object value = body.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw new InvalidInputException("'" + key + "' must be a string");
        }
        return Optional.of(s);
    }

    /** {@code DELETE /datastore/label?id=ID&tag=TAG}: {} also when there was no such label. */
    public void deleteLabel(HttpServerExchange exchange) throws IOException {
        String id =
                Http.query(exchange, "id")
                        .or(() -> Http.query(exchange, "label"))
                        .filter(s -> !s.isEmpty())
                        .orElseThrow(
                                () -> new InvalidInputException("Missing query parameter 'id'"));
        String tag = tag(exchange, Datastore.FINAL);
        Precondition precondition = precondition(exchange);
        imageFile(id);
        services.monaiLabel().labels().remove(id, tag, actor(exchange), precondition);
        Json.send(exchange, Map.of());
    }

    /** {@code GET /datastore/image/info?image=ID}: the info plus {@code path}; {} if unknown. */
    public void imageInfo(HttpServerExchange exchange) throws IOException {
        String id = Http.requiredQuery(exchange, "image");
        checkId(id);
        if (!datastore.hasImage(id)) {
            Json.send(exchange, Map.of());
            return;
        }
        Map<String, Object> info = new LinkedHashMap<>(datastore.imageInfo(id));
        info.put("path", datastore.imageFile(id).toAbsolutePath().toString());
        Json.send(exchange, info);
    }

    /**
     * {@code PUT /datastore/image/info?image=ID}, form field {@code info}: a shallow merge; null.
     */
    public void updateImageInfo(HttpServerExchange exchange) throws IOException {
        String id = Http.requiredQuery(exchange, "image");
        imageFile(id);
        Map<String, Object> info = formJson(exchange, "info");
        services.monaiLabel().images().updateInfo(id, info, actor(exchange));
        Json.send(exchange, null);
    }

    /** {@code GET /datastore/label/info?label=ID&tag=TAG}; {} if unknown. */
    public void labelInfo(HttpServerExchange exchange) {
        String id = Http.requiredQuery(exchange, "label");
        String tag = tag(exchange, Datastore.FINAL);
        checkId(id);
        if (!datastore.hasImage(id)) {
            Json.send(exchange, Map.of());
            return;
        }
        Json.send(exchange, datastore.labelInfo(id, tag).orElse(Map.of()));
    }

    /**
     * {@code PUT /datastore/label/info} (form {@code info}) and {@code PUT
     * /datastore/updatelabelinfo} (form {@code params}).
     */
    public void updateLabelInfo(HttpServerExchange exchange) throws IOException {
        String id = Http.requiredQuery(exchange, "label");
        String tag = tag(exchange, Datastore.FINAL);
        Precondition precondition = precondition(exchange);
        imageFile(id);
        if (datastore.labelInfo(id, tag).isEmpty()) {
            throw new NotFoundException("Label '" + id + "' with tag '" + tag + "' not found");
        }
        String field = exchange.getRelativePath().contains("updatelabelinfo") ? "params" : "info";
        services.monaiLabel()
                .labels()
                .updateInfo(id, tag, formJson(exchange, field), actor(exchange), precondition);
        Json.send(exchange, null);
    }

    private Map<String, Object> formJson(HttpServerExchange exchange, String field)
            throws IOException {
        Form form = services.forms().parse(exchange);
        return Json.parseObject(form.field(field).orElse(""), field);
    }

    /** {@code GET /datastore/dataset[?limit_cases=N]}: a zip of the images with a final label. */
    public void dataset(HttpServerExchange exchange) throws IOException {
        long limit = Http.queryLong(exchange, "limit_cases", 0);
        List<TrainingPair> pairs = datastore.trainingPairs(Datastore.FINAL);
        if (limit >= 1 && limit < pairs.size()) {
            pairs = pairs.subList(0, (int) limit);
        }
        Path zip =
                Files.createTempFile(
                        Files.createDirectories(services.workDir().resolve("tmp")),
                        "dataset-",
                        ".zip");
        try {
            try (OutputStream out = Files.newOutputStream(zip);
                    ZipOutputStream zos = new ZipOutputStream(out)) {
                for (TrainingPair p : pairs) {
                    put(zos, "image/" + datastore.imageFileName(p.imageId()), p.image());
                    put(zos, "label/" + p.label().getFileName(), p.label());
                }
                zos.putNextEntry(new ZipEntry("metadata.json"));
                zos.write(
                        JsonTrees.toPrettyString(JsonTrees.toJson(datastore.toJson()))
                                .getBytes(StandardCharsets.UTF_8));
                zos.closeEntry();
            }
            Downloads.send(exchange, zip, "dataset.zip");
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    private static void put(ZipOutputStream zos, String name, Path file) throws IOException {
        zos.putNextEntry(new ZipEntry(name));
        Files.copy(file, zos);
        zos.closeEntry();
    }
}
