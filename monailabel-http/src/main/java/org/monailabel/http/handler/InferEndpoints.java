package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.datastore.ContentCheck;
import org.monailabel.engine.datastore.FileExtensions;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.engine.session.Session;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.InferenceGate;
import org.monailabel.http.support.Json;
import org.monailabel.http.support.MediaTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /infer/{model}} (docs/rest-api.md §6) and the inference step shared with batch inference. */
public final class InferEndpoints {
    private static final Logger logger = LoggerFactory.getLogger(InferEndpoints.class);
    private static final List<String> OUTPUTS = List.of("all", "image", "json");

    private final Services services;

    public InferEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /** {@code POST /infer/{model}?image=&session_id=&output=}. */
    public void infer(HttpServerExchange exchange) throws Exception {
        String model = Http.pathParam(exchange, "model");
        ModelInfo info = modelInfo(model);
        String output = Http.query(exchange, "output").filter(s -> !s.isEmpty()).orElse("all");
        if (output.equals("dicom_seg")) {
            throw new InvalidInputException("output=dicom_seg needs a DICOMweb datastore, which this server does not have");
        }
        if (!OUTPUTS.contains(output)) {
            throw new InvalidInputException("Query parameter 'output' must be all, image or json, got '" + output + "'");
        }
        Optional<String> imageId = Http.query(exchange, "image").filter(s -> !s.isEmpty());
        Optional<String> sessionId = Http.query(exchange, "session_id").filter(s -> !s.isEmpty());
        InferenceResult result;
        // the slot is held from admission (before the upload is read) until the model is done;
        // sending the reply does not hold it
        try (InferenceGate.Permit permit = services.gate().enter(model)) {
            Form form = services.forms().parse(exchange);
            Path work = Files.createDirectories(services.workDir().resolve("infer").resolve(UUID.randomUUID().toString()));
            exchange.addExchangeCompleteListener((ex, next) -> {
                deleteTree(work);
                next.proceed();
            });
            Map<String, Object> params = Json.parseObject(form.field("params").orElse(""), "params");
            Input input = input(imageId, sessionId, form, work);
            Optional<Path> label = Optional.empty();
            if (form.file("label").isPresent()) {
                Form.FilePart part = form.file("label").get();
                label = Optional.of(keep(part, work, "input_label"));
            }
            Params merged = Params.of(params).withDefaults(info.config());
            InferenceRequest request = new InferenceRequest(model, input.file(), input.imageId(), merged, label, work);
            result = services.monaiLabel().infer(model, request);
            maybeSaveLabel(model, merged, input.imageId(), result);
        }
        reply(exchange, output, result);
    }

    private ModelInfo modelInfo(String model) {
        ModelInfo info = services.monaiLabel().info().models().get(model);
        if (info == null) {
            throw new NotFoundException("Model '" + model + "' not found");
        }
        return info;
    }

    private record Input(Path file, Optional<String> imageId) {}

    private Input input(Optional<String> imageId, Optional<String> sessionId, Form form, Path work) throws IOException {
        if (form.file("file").isPresent()) {
            Form.FilePart part = form.file("file").get();
            ContentCheck.check(part.file(), part.clientName(), "Image");
            return new Input(keep(part, work, "input_image"), Optional.empty());
        }
        if (sessionId.isPresent()) {
            Optional<Session> session = services.sessions().get(sessionId.get(), true);
            if (session.isPresent()) {
                if (Files.isDirectory(session.get().image())) {
                    throw new InvalidInputException("Session '" + sessionId.get() + "' holds several files; inference "
                            + "needs one image file");
                }
                return new Input(session.get().image(), Optional.empty());
            }
            if (imageId.isEmpty()) {
                throw new NotFoundException("Session (" + sessionId.get() + ") Not Found");
            }
        }
        if (imageId.isPresent()) {
            Datastore datastore = services.datastore();
            if (!datastore.hasImage(imageId.get())) {
                datastore.imageInfo(imageId.get()); // malformed ids: 400
                throw new NotFoundException("Image '" + imageId.get() + "' not found");
            }
            return new Input(datastore.imageFile(imageId.get()), imageId);
        }
        throw new InvalidInputException("Neither image, file nor session_id was given");
    }

    /** Moves an uploaded part into the work folder under a name with the client's extension. */
    private static Path keep(Form.FilePart part, Path work, String stem) throws IOException {
        String ext = FileExtensions.extensionOf(part.clientName());
        String base = FileExtensions.baseName(part.clientName()).toLowerCase(java.util.Locale.ROOT);
        if (base.endsWith(".seg.nrrd")) {
            ext = ".seg.nrrd";
        }
        Path target = work.resolve(stem + ext);
        Files.move(part.file(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private void maybeSaveLabel(String model, Params params, Optional<String> imageId, InferenceResult result)
            throws IOException {
        if (!params.getBoolean("save_label", false) || imageId.isEmpty() || result.file().isEmpty()) {
            return;
        }
        String tag = params.getString("label_tag", Datastore.ORIGINAL);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", model);
        info.put("params", result.json());
        Path file = result.file().get();
        services.datastore().saveLabel(imageId.get(), tag, file, file.getFileName().toString(), info);
    }

    private static void reply(HttpServerExchange exchange, String output, InferenceResult result) throws IOException {
        if (output.equals("json") || result.file().isEmpty()) {
            Json.send(exchange, result.json());
            return;
        }
        Path file = result.file().get();
        String fileName = file.getFileName().toString();
        if (output.equals("image")) {
            Downloads.send(exchange, file, fileName);
            return;
        }
        sendMultipart(exchange, result.json(), file, fileName);
    }

    /**
     * The {@code output=all} reply, framed as docs/rest-api.md §6.4 describes: a Content-Length (never
     * chunked: Slicer parses the raw socket), the {@code params} part without a file name, then the
     * file part with a bare file name.
     */
    static void sendMultipart(HttpServerExchange exchange, Map<String, Object> json, Path file, String fileName)
            throws IOException {
        String boundary = "monailabel-" + UUID.randomUUID().toString().replace("-", "");
        byte[] head = ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"params\"\r\n"
                + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] params = JsonTrees.toCompactString(JsonTrees.toJson(json)).getBytes(StandardCharsets.UTF_8);
        byte[] fileHead = ("\r\n--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"image\"; filename=\"" + fileName.replace("\"", "_") + "\"\r\n"
                + "Content-Type: " + MediaTypes.of(fileName) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + params.length + fileHead.length + Files.size(file) + tail.length;
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary);
        exchange.setResponseContentLength(length);
        try (OutputStream out = exchange.getOutputStream()) {
            out.write(head);
            out.write(params);
            out.write(fileHead);
            Files.copy(file, out);
            out.write(tail);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    logger.warn("Could not delete {}: {}", p, e.toString());
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            logger.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
