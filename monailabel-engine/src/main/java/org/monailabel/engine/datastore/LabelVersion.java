package org.monailabel.engine.datastore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One version in a label's history ({@link VersionedLabels}): each save of a label (an image id and
 * a tag) makes a version, numbered 1, 2, ... without gaps, and so does its removal; the file of
 * every saved version is kept. Immutable.
 *
 * @param imageId the label's image id (the label id)
 * @param tag the label's tag
 * @param version the number of this version, from 1
 * @param action what made it
 * @param replaced the version that was current when this one was made; 0 when there was none (the
 *     first save, or a save after a removal)
 * @param time when it was made
 * @param user who made it: the signed-in user ({@code anonymous} without authentication), {@value
 *     LabelEdit#SERVER} for the server's own saves (batch inference, {@code save_label}), {@value
 *     LabelEdit#UNKNOWN} for a file that changed without going through this server
 * @param clientId the {@code client_id} the client sent with the label, or empty
 * @param address the client's network address, or empty
 * @param size the file's size in bytes; 0 for a removal
 * @param sha256 the file's SHA-256 in lower-case hex; empty for a removal
 * @param name the stored file name, {@code <id><ext>}; empty for a removal
 */
public record LabelVersion(
        String imageId,
        String tag,
        int version,
        Action action,
        int replaced,
        Instant time,
        String user,
        String clientId,
        String address,
        long size,
        String sha256,
        String name) {

    /** What made a version. */
    public enum Action {
        /** A save through the datastore. */
        SAVED,
        /** The label's removal (its files stay in the history). */
        REMOVED,
        /**
         * A file found in place that no save made: copied into the folder, written by another
         * program, or saved before the history was kept.
         */
        FOUND;

        /** The wire spelling: {@code saved}, {@code removed}, {@code found}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LabelVersion {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(name, "name");
        if (version < 1 || replaced < 0 || replaced >= version) {
            throw new IllegalArgumentException(
                    "version " + version + " cannot replace version " + replaced);
        }
    }

    /** Whether this version is a removal (no file). */
    public boolean removed() {
        return action == Action.REMOVED;
    }

    /**
     * The strong entity tag of this version's file, as sent in {@code ETag}: {@code
     * "<version>-<first 16 hex digits of the SHA-256>"}, quotes included. It changes with every
     * save, and stays unique when the history is lost and numbering starts again.
     */
    public String etag() {
        return "\"" + version + "-" + (removed() ? "removed" : sha256.substring(0, 16)) + "\"";
    }

    /**
     * The version as {@code GET /datastore/label/history} lists it ({@code version}, {@code
     * action}, {@code replaced} (null for none), {@code user}, {@code client_id}, {@code address},
     * {@code time} (ISO-8601 UTC), {@code ts} (epoch seconds), and for a file {@code size}, {@code
     * sha256}, {@code name}, {@code etag}).
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", version);
        json.put("action", action.wireName());
        json.put("replaced", replaced == 0 ? null : replaced);
        json.put("user", user);
        json.put("client_id", clientId);
        json.put("address", address);
        json.put("time", time.toString());
        json.put("ts", time.getEpochSecond());
        if (!removed()) {
            json.put("size", size);
            json.put("sha256", sha256);
            json.put("name", name);
            json.put("etag", etag());
        }
        return json;
    }
}
