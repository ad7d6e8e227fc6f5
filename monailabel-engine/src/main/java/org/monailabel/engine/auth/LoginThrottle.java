package org.monailabel.engine.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.monailabel.api.error.TooManyAttemptsException;

/**
 * Slows down password guessing by locking out, not by holding threads: every sign-in attempt counts
 * as a failure against its user name and its client address from the moment it starts (so parallel
 * guesses count too), and a success takes it back. Past {@link #FREE_PER_USER} failures for a name,
 * or {@link #FREE_PER_ADDRESS} from an address, each further failure locks that name or address out
 * for twice as long as the one before (1 s, 2 s, 4 s, ... up to {@link #MAX_LOCK}); while locked,
 * attempts are refused at once with a 429 and a {@code Retry-After}, without looking at the
 * password. The count is forgotten {@link #FORGET} after the last failure, and a success clears its
 * name's count (never the address's, so that one good account cannot reset the guessing of others).
 * At most {@link #CAPACITY} names and addresses are remembered. Thread-safe.
 */
final class LoginThrottle {
    static final int FREE_PER_USER = 5;
    static final int FREE_PER_ADDRESS = 20;
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final Duration FORGET = Duration.ofHours(1);
    static final int CAPACITY = 10_000;

    private static final class Count {
        int failures;
        Instant last;
    }

    private final Clock clock;
    private final Map<String, Count> counts = new HashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts an attempt: refuses it if the name or the address is locked out, else counts it as a
     * failure until {@link #succeeded} or {@link #cancelled}.
     *
     * @throws TooManyAttemptsException if locked out
     */
    synchronized void begin(String user, String address) {
        Instant now = clock.instant();
        long wait =
                Math.max(
                        lockedFor(userKey(user), FREE_PER_USER, now),
                        lockedFor(addressKey(address), FREE_PER_ADDRESS, now));
        if (wait > 0) {
            int seconds = (int) Math.min(Integer.MAX_VALUE, (wait + 999) / 1000);
            throw new TooManyAttemptsException(
                    "Too many failed sign-ins; try again in " + seconds + " s", seconds);
        }
        fail(userKey(user), now);
        fail(addressKey(address), now);
    }

    /** The attempt succeeded: the name's count is cleared, the address's taken back by one. */
    synchronized void succeeded(String user, String address) {
        counts.remove(userKey(user));
        takeBack(addressKey(address));
    }

    /** The attempt did not happen (the server was busy): both counts are taken back by one. */
    synchronized void cancelled(String user, String address) {
        takeBack(userKey(user));
        takeBack(addressKey(address));
    }

    /** Milliseconds a name or address stays locked out, 0 if it is not. */
    private long lockedFor(String key, int free, Instant now) {
        Count c = counts.get(key);
        if (c == null) {
            return 0;
        }
        if (Duration.between(c.last, now).compareTo(FORGET) > 0) {
            counts.remove(key);
            return 0;
        }
        if (c.failures < free) {
            return 0;
        }
        Instant until = c.last.plus(lockFor(c.failures - free));
        return Math.max(0, Duration.between(now, until).toMillis());
    }

    /** The lock after the {@code n}-th failure past the free ones (n = 0: 1 s). */
    static Duration lockFor(int n) {
        if (n >= 30) {
            return MAX_LOCK;
        }
        Duration d = Duration.ofSeconds(1L << n);
        return d.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : d;
    }

    private void fail(String key, Instant now) {
        Count c = counts.get(key);
        if (c == null) {
            if (counts.size() >= CAPACITY) {
                evict(now);
            }
            c = new Count();
            counts.put(key, c);
        }
        c.failures++;
        c.last = now;
    }

    private void takeBack(String key) {
        Count c = counts.get(key);
        if (c != null && --c.failures <= 0) {
            counts.remove(key);
        }
    }

    /** Drops forgotten counts, then, if still full, the oldest tenth. */
    private void evict(Instant now) {
        counts.values().removeIf(c -> Duration.between(c.last, now).compareTo(FORGET) > 0);
        if (counts.size() >= CAPACITY) {
            counts.entrySet().stream()
                    .sorted(Comparator.comparing(e -> e.getValue().last))
                    .limit(CAPACITY / 10)
                    .map(Map.Entry::getKey)
                    .toList()
                    .forEach(counts::remove);
        }
    }

    private static String userKey(String user) {
        return "user:" + user.toLowerCase(Locale.ROOT);
    }

    private static String addressKey(String address) {
        return "addr:" + address;
    }
}
