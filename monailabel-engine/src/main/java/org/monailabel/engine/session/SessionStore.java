package org.monailabel.engine.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.datastore.FileExtensions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in a folder of their own ({@code <root>/<uuid>/}), their metadata beside it ({@code
 * <root>/<uuid>.json}: image, meta, creation and last access times, expiry), so that they survive a
 * restart: opening the store loads every session whose metadata and folder are there and that has
 * not expired, and deletes the rest (expired sessions, and what a crash left of a session being
 * created: the metadata is written, synced, last). Only ids this store generated (UUIDs) are ever
 * turned into paths. Thread-safe.
 */
public final class SessionStore implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(SessionStore.class);
    private static final Pattern UUID_SYNTAX =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A file to put into a session: a local file the store moves, and the client's name for it. */
    public record Upload(Path file, String clientName) {
        public Upload {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(clientName, "clientName");
        }
    }

    private final Path root;
    private final Duration defaultExpiry;
    private final Duration maxExpiry;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * Opens the store: loads the live sessions a previous run left in {@code root} and deletes the
     * expired or incomplete ones, and anything else there.
     *
     * @param defaultExpiry expiry when the client asks for none (0)
     * @param maxExpiry the longest expiry a client may ask for
     */
    public SessionStore(Path root, Duration defaultExpiry, Duration maxExpiry) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
        this.defaultExpiry = Objects.requireNonNull(defaultExpiry, "defaultExpiry");
        this.maxExpiry = Objects.requireNonNull(maxExpiry, "maxExpiry");
        load();
    }

    private void load() throws IOException {
        long now = Instant.now().getEpochSecond();
        try (Stream<Path> listed = Files.list(root)) {
            for (Path p : listed.sorted().toList()) {
                String name = p.getFileName().toString();
                if (isValidId(name) && Files.isDirectory(p)) {
                    Optional<Session> session = SessionFiles.read(root, name);
                    if (session.isPresent() && !session.get().expiredAt(now)) {
                        sessions.put(name, session.get());
                        continue;
                    }
                    logger.info(
                            "Session {} {}: deleted",
                            name,
                            session.isPresent() ? "expired" : "was not complete");
                    deleteTree(p);
                    Files.deleteIfExists(SessionFiles.metadata(root, name));
                } else if (!(name.endsWith(SessionFiles.SUFFIX)
                        && isValidId(
                                name.substring(0, name.length() - SessionFiles.SUFFIX.length()))
                        && Files.isDirectory(
                                root.resolve(
                                        name.substring(
                                                0,
                                                name.length() - SessionFiles.SUFFIX.length()))))) {
                    deleteTree(p); // a stray file, or metadata without its folder
                }
            }
        }
        if (!sessions.isEmpty()) {
            logger.info("Kept {} session(s) from the previous run", sessions.size());
        }
    }

    /** Whether {@code id} has the syntax of an id this store generates. */
    public static boolean isValidId(String id) {
        return id != null && UUID_SYNTAX.matcher(id).matches();
    }

    /**
     * Creates a session from uploaded files (moved into it).
     *
     * @param expirySeconds requested expiry; 0 or less means the default, more than the maximum is
     *     capped
     */
    public Session create(List<Upload> files, Map<String, Object> meta, long expirySeconds)
            throws IOException {
        if (files.isEmpty()) {
            throw new InvalidInputException("A session needs at least one file part 'files'");
        }
        String id = UUID.randomUUID().toString();
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        try {
            Path image = dir;
            int i = 0;
            for (Upload upload : files) {
                String name = FileExtensions.baseName(upload.clientName());
                if (name.isEmpty() || name.startsWith(".") || name.contains("..")) {
                    name = "file_" + i + FileExtensions.extensionOf(upload.clientName());
                }
                Path target = dir.resolve(name);
                if (!target.normalize().getParent().equals(dir) || Files.exists(target)) {
                    target = dir.resolve("file_" + i + FileExtensions.extensionOf(name));
                }
                Files.move(upload.file(), target, StandardCopyOption.REPLACE_EXISTING);
                image = files.size() == 1 ? target : dir;
                i++;
            }
            long expiry =
                    expirySeconds <= 0
                            ? defaultExpiry.toSeconds()
                            : Math.min(expirySeconds, maxExpiry.toSeconds());
            long now = Instant.now().getEpochSecond();
            Session session = new Session(id, dir, image, meta, now, now, expiry);
            SessionFiles.write(root, session); // last: its presence makes the session complete
            sessions.put(id, session);
            logger.debug("Session {} created with {} file(s)", id, files.size());
            return session;
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            Files.deleteIfExists(SessionFiles.metadata(root, id));
            throw e;
        }
    }

    /** The session, unless unknown or expired; {@code touch} refreshes its last access time. */
    public Optional<Session> get(String id, boolean touch) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        long now = Instant.now().getEpochSecond();
        Session s = sessions.get(id);
        if (s == null || s.expiredAt(now)) {
            return Optional.empty();
        }
        if (!touch) {
            return Optional.of(s);
        }
        Session touched = sessions.computeIfPresent(id, (k, v) -> v.touched(now));
        if (touched == null) {
            return Optional.empty(); // removed meanwhile
        }
        try {
            SessionFiles.write(root, touched);
        } catch (IOException e) {
            logger.warn(
                    "Cannot record the last access of session {} (it may expire early after a"
                            + " restart): {}",
                    id,
                    e.toString());
        }
        return Optional.of(touched);
    }

    /** Removes a session and its files; the removed session, if it existed. */
    public Optional<Session> remove(String id) throws IOException {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        Session s = sessions.remove(id);
        if (s != null) {
            Files.deleteIfExists(SessionFiles.metadata(root, id)); // first: no half session left
            deleteTree(s.dir());
        }
        return Optional.ofNullable(s);
    }

    /** Removes the expired sessions; returns how many. */
    public int purgeExpired() {
        long now = Instant.now().getEpochSecond();
        int purged = 0;
        for (Session s : List.copyOf(sessions.values())) {
            if (s.expiredAt(now)) {
                try {
                    remove(s.id());
                    purged++;
                } catch (IOException e) {
                    logger.warn("Could not delete expired session {}: {}", s.id(), e.toString());
                }
            }
        }
        return purged;
    }

    /** Purges the expired sessions; the others stay for the next start. */
    @Override
    public void close() {
        purgeExpired();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
