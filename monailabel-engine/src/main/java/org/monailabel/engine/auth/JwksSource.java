package org.monailabel.engine.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.monailabel.api.error.BusyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the provider's signature keys come from: a JWKS file, read again when it changes, or a URL
 * (the provider's {@code jwks_uri}), fetched when first needed, again after {@link #REFRESH}, and
 * at once (at most every {@link #MIN_REFETCH}) when a token names a key id the set lacks (the
 * provider rotated its keys). A failed fetch keeps the keys fetched before. Thread-safe; a fetch
 * blocks the calling thread for at most {@link #TIMEOUT}.
 */
final class JwksSource {
    static final Duration REFRESH = Duration.ofMinutes(10);
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Logger logger = LoggerFactory.getLogger(JwksSource.class);

    private final String location;
    private final Clock clock;
    private final HttpClient http;

    private List<Jwks.Key> keys = List.of();
    private boolean loaded; // keys were read or fetched at least once
    private Instant attempted; // the last fetch, failed or not; null: never
    private Object version;

    JwksSource(String location, HttpClient http, Clock clock) {
        this.location = location;
        this.http = http;
        this.clock = clock;
    }

    static boolean isUrl(String location) {
        String l = location.toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    /**
     * The keys, as of now.
     *
     * @throws BusyException if none could be read yet
     */
    synchronized List<Jwks.Key> keys() {
        if (isUrl(location)) {
            Duration due = loaded ? REFRESH : MIN_REFETCH;
            if (attempted == null
                    || Duration.between(attempted, clock.instant()).compareTo(due) > 0) {
                fetch();
            }
        } else {
            readFile();
        }
        if (!loaded) {
            throw new BusyException(
                    "The identity provider's signing keys are not available; try again later", 5);
        }
        return keys;
    }

    /** The keys after a fetch, for a token whose key id is not in the set (rate limited). */
    synchronized List<Jwks.Key> refetch() {
        if (isUrl(location)
                && (attempted == null
                        || Duration.between(attempted, clock.instant()).compareTo(MIN_REFETCH)
                                > 0)) {
            fetch();
        }
        return keys();
    }

    /** Reads or fetches the keys now; throws with the reason if that fails (used at start). */
    synchronized void load() throws IOException {
        if (isUrl(location)) {
            attempted = clock.instant();
            keys = Jwks.parse(download());
        } else {
            Path file = Path.of(location);
            keys = Jwks.parse(Files.readString(file, StandardCharsets.UTF_8));
            version = stamp(file);
        }
        loaded = true;
        if (keys.isEmpty()) {
            logger.warn("{} has no RS256 or ES256 signature key", location);
        }
    }

    private void readFile() {
        Path file = Path.of(location);
        try {
            Object now = stamp(file);
            if (!now.equals(version)) {
                keys = Jwks.parse(Files.readString(file, StandardCharsets.UTF_8));
                version = now;
                loaded = true;
                logger.info("Read {} signature keys from {}", keys.size(), file);
            }
        } catch (IOException | IllegalArgumentException e) {
            logger.warn(
                    "Cannot read the JWKS file {} (keeping the keys read before): {}",
                    file,
                    e.getMessage());
        }
    }

    private static Object stamp(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        return List.of(modified, Files.size(file));
    }

    private void fetch() {
        attempted = clock.instant(); // also for a failure: retried after a while, not per token
        try {
            keys = Jwks.parse(download());
            loaded = true;
            logger.info("Fetched {} signature keys from {}", keys.size(), location);
        } catch (IOException | IllegalArgumentException e) {
            logger.warn(
                    "Cannot fetch the JWKS {} (keeping the keys fetched before): {}",
                    location,
                    e.getMessage());
        }
    }

    private String download() throws IOException {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(location))
                                    .timeout(TIMEOUT)
                                    .header("Accept", "application/json")
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
