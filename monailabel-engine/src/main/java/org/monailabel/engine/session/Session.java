package org.monailabel.engine.session;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One session: its files live in {@code dir}; {@code image} is the single uploaded file, or the
 * folder when several files were uploaded (a DICOM series). Immutable.
 *
 * @param id the session id (a UUID the server generated)
 * @param dir the session's folder
 * @param image the image file, or the folder of files
 * @param meta free-form metadata given at creation
 * @param createTs creation time, epoch seconds
 * @param lastAccessTs last use, epoch seconds
 * @param expirySeconds seconds after the last access when the session is purged
 */
public record Session(
        String id,
        Path dir,
        Path image,
        Map<String, Object> meta,
        long createTs,
        long lastAccessTs,
        long expirySeconds) {
    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(image, "image");
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /** Whether the session has expired at {@code nowSeconds}. */
    public boolean expiredAt(long nowSeconds) {
        return nowSeconds > lastAccessTs + expirySeconds;
    }

    Session touched(long nowSeconds) {
        return new Session(id, dir, image, meta, createTs, nowSeconds, expirySeconds);
    }

    /** MONAI Label's {@code session_info}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", id);
        json.put("path", dir.toString());
        json.put("image", image.toString());
        json.put("meta", meta);
        json.put("create_ts", createTs);
        json.put("last_access_ts", lastAccessTs);
        json.put("expiry", expirySeconds);
        return json;
    }
}
