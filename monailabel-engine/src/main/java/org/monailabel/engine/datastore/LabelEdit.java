package org.monailabel.engine.datastore;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who changes a label, and on what condition ({@link VersionedLabels}).
 *
 * @param user who: the signed-in user, {@code anonymous} without authentication, {@value #SERVER}
 *     for the server's own changes
 * @param clientId the {@code client_id} the client sent, or empty
 * @param address the client's network address, or empty
 * @param condition checked against the label's history (oldest first) under the label's lock, right
 *     before the change; it throws (a {@link org.monailabel.api.error.ConflictException}) to refuse
 *     the change
 */
public record LabelEdit(String user, String clientId, String address, Condition condition) {
    /** The user of the server's own changes (batch inference, {@code save_label}, apps). */
    public static final String SERVER = "server";

    /** The user of a change that did not go through this server. */
    public static final String UNKNOWN = "unknown";

    /** A condition on the current state of a label, checked before a change. */
    @FunctionalInterface
    public interface Condition {
        /**
         * Throws to refuse the change.
         *
         * @param history the label's versions, oldest first (empty if it never existed); the last
         *     one is current unless it is a removal
         */
        void check(List<LabelVersion> history);
    }

    /** No condition: last write wins. */
    public static final Condition ANY = history -> {};

    public LabelEdit {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(condition, "condition");
    }

    /** The {@code client_id} a client put into a label's info (null: none), or empty. */
    public static String clientIdOf(Map<String, ?> info) {
        return info != null && info.get("client_id") instanceof String s ? s : "";
    }

    /** A change the server makes on its own, unconditionally. */
    public static LabelEdit server(String clientId) {
        return new LabelEdit(SERVER, clientId, "", ANY);
    }
}
