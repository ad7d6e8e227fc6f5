package org.monailabel.engine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One state change for the {@link AuditLog}: what happened ({@code action}, e.g. {@code
 * label.saved}), who did it and from where, when, and what it concerned ({@code image}, {@code
 * tag}, {@code version}, ...). Immutable; {@link #with} returns a copy with one more field.
 *
 * <pre>{@code
 * monaiLabel.audit().record(AuditEvent.of("user.signed_in", actor).with("method", "password"));
 * }</pre>
 *
 * @param time when
 * @param action a dotted name, {@code <thing>.<past tense>}
 * @param actor who, from where
 * @param fields what it concerned: JSON-like values ({@code String}, numbers, {@code Boolean},
 *     lists, maps), in order
 */
public record AuditEvent(Instant time, String action, Actor actor, Map<String, Object> fields) {
    /** Keys the log line reserves for the event itself. */
    private static final Set<String> RESERVED = Set.of("time", "action", "user", "address");

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        for (String key : fields.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("Audit field '" + key + "' is reserved");
            }
        }
    }

    /** An event happening now, without fields. */
    public static AuditEvent of(String action, Actor actor) {
        return new AuditEvent(
                Instant.now().truncatedTo(ChronoUnit.MILLIS), action, actor, Map.of());
    }

    /** A copy with {@code key} set to {@code value} (a null value leaves the event as it is). */
    public AuditEvent with(String key, Object value) {
        if (value == null) {
            return this;
        }
        Map<String, Object> more = new LinkedHashMap<>(fields);
        more.put(Objects.requireNonNull(key, "key"), value);
        return new AuditEvent(time, action, actor, more);
    }

    /**
     * The log line's object: {@code time} (ISO-8601 UTC), {@code action}, {@code user}, {@code
     * address}, then the fields.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("time", time.toString());
        json.put("action", action);
        json.put("user", actor.user());
        json.put("address", actor.address());
        json.putAll(fields);
        return json;
    }
}
