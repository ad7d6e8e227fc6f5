package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.DicomSegOutput;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.Upload;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;
import org.monailabel.http.support.MediaTypes;

/** {@code POST /infer/{model}} (docs/rest-api.md §6). */
public final class InferEndpoints {
    private static final List<String> OUTPUTS = List.of("all", "image", "json", "dicom_seg");

    private final Services services;

    public InferEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /** {@code POST /infer/{model}?image=&session_id=&output=}. */
    public void infer(HttpServerExchange exchange) throws Exception {
        String model = Http.pathParam(exchange, "model");
        String output = Http.query(exchange, "output").filter(s -> !s.isEmpty()).orElse("all");
        services.monaiLabel().model(model); // unknown model: 404 first
        if (!OUTPUTS.contains(output)) {
            throw new InvalidInputException(
                    "Query parameter 'output' must be all, image, json or dicom_seg, got '"
                            + output
                            + "'");
        }
        Optional<DicomSegOutput> seg = Optional.empty();
        if (output.equals("dicom_seg")) {
            seg = Optional.of(dicomSegOutput(exchange));
        }
        Inference inference;
        // the place in the model's queue is taken before the upload is read and held until the
        // model is done; sending the reply does not hold it
        try (MonaiLabel.Admission admission = services.monaiLabel().admit(model)) {
            Form form = services.forms().parse(exchange);
            Map<String, Object> params =
                    Json.parseObject(form.field("params").orElse(""), "params");
            InferRequest request =
                    new InferRequest(
                            model,
                            form.file("file").map(InferEndpoints::upload),
                            Http.query(exchange, "session_id"),
                            Http.query(exchange, "image"),
                            params,
                            form.file("label").map(InferEndpoints::upload));
            inference = admission.infer(request);
        }
        exchange.addExchangeCompleteListener(
                (ex, next) -> {
                    inference.close();
                    next.proceed();
                });
        if (seg.isPresent()) {
            Path file = seg.get().write(model, inference.result());
            Downloads.send(exchange, file, seg.get().fileName(model));
            return;
        }
        reply(exchange, output, inference.result());
    }

    /**
     * What {@code output=dicom_seg} needs, checked before the model runs: {@code image} naming a
     * datastore image that is a DICOM series (from a PACS or a folder of DICOM files).
     */
    private DicomSegOutput dicomSegOutput(HttpServerExchange exchange) {
        Optional<String> image = Http.query(exchange, "image").filter(s -> !s.isEmpty());
        if (image.isEmpty() || Http.query(exchange, "session_id").isPresent()) {
            throw new InvalidInputException(
                    "output=dicom_seg needs image=<SeriesInstanceUID> of a DICOM series in the"
                            + " datastore (not a session or an uploaded file)");
        }
        try {
            return services.monaiLabel().dicomSegOutput(image.get());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("output=dicom_seg: " + e.getMessage());
        }
    }

    private static Upload upload(Form.FilePart part) {
        return new Upload(part.file(), part.clientName());
    }

    private static void reply(HttpServerExchange exchange, String output, InferenceResult result)
            throws IOException {
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
     * The {@code output=all} reply, framed as docs/rest-api.md §6.4 describes: a Content-Length
     * (never chunked: Slicer parses the raw socket), the {@code params} part without a file name,
     * then the file part with a bare file name.
     */
    static void sendMultipart(
            HttpServerExchange exchange, Map<String, Object> json, Path file, String fileName)
            throws IOException {
        String boundary = "monailabel-" + UUID.randomUUID().toString().replace("-", "");
        byte[] head =
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"params\"\r\n"
                                + "Content-Type: application/json\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] params =
                JsonTrees.toCompactString(JsonTrees.toJson(json)).getBytes(StandardCharsets.UTF_8);
        byte[] fileHead =
                ("\r\n--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"image\"; filename=\""
                                + fileName.replace("\"", "_")
                                + "\"\r\n"
                                + "Content-Type: "
                                + MediaTypes.of(fileName)
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length =
                head.length + params.length + fileHead.length + Files.size(file) + tail.length;
        exchange.setStatusCode(200);
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary);
        exchange.setResponseContentLength(length);
        try (OutputStream out = exchange.getOutputStream()) {
            out.write(head);
            out.write(params);
            out.write(fileHead);
            Files.copy(file, out);
            out.write(tail);
        }
    }
}
