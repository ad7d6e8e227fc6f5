package org.monailabel.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which client holds which image that next sample handed out, so that no other client is handed it
 * for a while ({@code --conf} {@value #SETTING}, default {@value #DEFAULT_SECONDS} s; 0 turns
 * leases off). A holder is a user with a {@code client_id} (Slicer sends one per installation): it
 * holds at most one image, its lease moves with every image it is handed, and it may be handed its
 * own image again. A lease ends when it expires, when its holder is handed another image, or when
 * the image gets a final label. Kept in memory: a restart frees every image. Thread-safe.
 */
final class SampleLeases {
    /** The setting of how long a lease lasts, in seconds. */
    static final String SETTING = "sample_lease_seconds";

    static final long DEFAULT_SECONDS = 900;

    private record Lease(String holder, Instant until) {}

    private final Duration duration;
    private final Clock clock;
    private final Map<String, Lease> byImage = new HashMap<>();
    private final Map<String, String> byHolder = new HashMap<>();

    SampleLeases(Duration duration, Clock clock) {
        this.duration = Objects.requireNonNull(duration, "duration");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The holder of a request: its user and {@code client_id}. */
    static String holder(Actor actor, String clientId) {
        return actor.user() + "\n" + clientId;
    }

    boolean enabled() {
        return !duration.isZero() && !duration.isNegative();
    }

    /** The images leased to other holders now. */
    synchronized Set<String> heldByOthers(String holder) {
        purge();
        Set<String> others = new HashSet<>();
        byImage.forEach(
                (image, lease) -> {
                    if (!lease.holder().equals(holder)) {
                        others.add(image);
                    }
                });
        return others;
    }

    /**
     * Leases the image to the holder (moving its lease), unless another holds it.
     *
     * @return until when, or empty if another holder has it
     */
    synchronized Optional<Instant> acquire(String holder, String imageId) {
        if (!enabled()) {
            return Optional.of(clock.instant());
        }
        purge();
        Lease current = byImage.get(imageId);
        if (current != null && !current.holder().equals(holder)) {
            return Optional.empty();
        }
        String previous = byHolder.remove(holder);
        if (previous != null) {
            byImage.remove(previous);
        }
        Instant until = clock.instant().plus(duration);
        byImage.put(imageId, new Lease(holder, until));
        byHolder.put(holder, imageId);
        return Optional.of(until);
    }

    /** Frees the image (it got a final label). */
    synchronized void release(String imageId) {
        Lease lease = byImage.remove(imageId);
        if (lease != null) {
            byHolder.remove(lease.holder(), imageId);
        }
    }

    private void purge() {
        Instant now = clock.instant();
        byImage.entrySet()
                .removeIf(
                        e -> {
                            if (e.getValue().until().isAfter(now)) {
                                return false;
                            }
                            byHolder.remove(e.getValue().holder(), e.getKey());
                            return true;
                        });
    }
}
