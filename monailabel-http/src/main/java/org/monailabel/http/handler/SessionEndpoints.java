package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.Upload;
import org.monailabel.engine.session.Session;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/** {@code /session/} (docs/rest-api.md §7). */
public final class SessionEndpoints {
    private final Services services;

    public SessionEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /** {@code PUT /session/?uncompress=false&expiry=0}: multipart {@code files} (one or more). */
    public void create(HttpServerExchange exchange) throws IOException {
        if (Http.queryFlag(exchange, "uncompress", false)) {
            throw new InvalidInputException(
                    "uncompress=true is not supported: upload the files themselves");
        }
        long expiry = Http.queryLong(exchange, "expiry", 0);
        Form form = services.forms().parse(exchange);
        List<Form.FilePart> parts = new ArrayList<>(form.files("files"));
        parts.addAll(form.files("file"));
        if (parts.isEmpty()) {
            throw new InvalidInputException("Expected one or more multipart file parts 'files'");
        }
        List<Upload> uploads =
                parts.stream().map(p -> new Upload(p.file(), p.clientName())).toList();
        Map<String, Object> meta = new LinkedHashMap<>();
        form.field("client_id").ifPresent(c -> meta.put("client_id", c));
        Session session =
                services.monaiLabel()
                        .createSession(uploads, meta, expiry, DatastoreEndpoints.actor(exchange));
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("session_id", session.id());
        reply.put("session_info", session.toJson());
        Json.send(exchange, reply);
    }

    /** {@code GET /session/{id}?update_ts=&image=}: the session info, or its image file. */
    public void get(HttpServerExchange exchange) throws IOException {
        String id = Http.pathParam(exchange, "id");
        Session session =
                services.monaiLabel()
                        .session(id, Http.queryFlag(exchange, "update_ts", false))
                        .orElseThrow(() -> notFound(id));
        if (Http.queryFlag(exchange, "image", false)) {
            if (Files.isDirectory(session.image())) {
                throw new InvalidInputException(
                        "Session '" + id + "' holds several files; there is no single image");
            }
            Downloads.send(exchange, session.image(), session.image().getFileName().toString());
            return;
        }
        Json.send(exchange, session.toJson());
    }

    /** {@code DELETE /session/{id}}: the removed session's info. */
    public void remove(HttpServerExchange exchange) throws IOException {
        String id = Http.pathParam(exchange, "id");
        Session session =
                services.monaiLabel()
                        .removeSession(id, DatastoreEndpoints.actor(exchange))
                        .orElseThrow(() -> notFound(id));
        Json.send(exchange, session.toJson());
    }

    private static NotFoundException notFound(String id) {
        String shown = id.length() > 60 ? id.substring(0, 57) + "..." : id;
        return new NotFoundException("Session (" + shown + ") Not Found");
    }
}
