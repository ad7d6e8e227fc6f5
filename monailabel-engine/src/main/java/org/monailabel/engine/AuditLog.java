package org.monailabel.engine;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.engine.json.JsonLineFile;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per state change ({@link AuditEvent}) in {@code
 * <workDir>/audit/audit.log}, appended and synced before {@link #record} returns (a crash loses at
 * most the line being written; a torn last line is ended at the next open and skipped by {@link
 * #read}). When a line would take the file past {@code maxBytes} it is rotated: {@code audit.log}
 * becomes {@code audit.log.1}, {@code .1} becomes {@code .2}, ..., and files past {@code keep} are
 * deleted.
 *
 * <p>The engine records the changes its use cases make (datastore, jobs, model weights); other code
 * (an authentication layer, say) adds its own with {@link #record}. Thread-safe.
 *
 * <p>Settings ({@code --conf}): {@value #MAX_BYTES} (default 10 MiB), {@value #KEEP} (default 5).
 */
public final class AuditLog implements AutoCloseable {
    /** The setting of the size at which the log is rotated, in bytes. */
    public static final String MAX_BYTES = "audit_max_bytes";

    /** The setting of how many rotated files are kept. */
    public static final String KEEP = "audit_keep";

    /** The log's file name in its folder. */
    public static final String FILE = "audit.log";

    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    static final int DEFAULT_KEEP = 5;

    private static final Logger logger = LoggerFactory.getLogger(AuditLog.class);

    private final Path dir;
    private final long maxBytes;
    private final int keep;
    private JsonLineFile file;
    private boolean closed;

    private AuditLog(Path dir, long maxBytes, int keep, JsonLineFile file) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.file = file;
    }

    /**
     * Opens (or creates) the log in {@code dir}.
     *
     * @param maxBytes the size past which the file is rotated (at least 1024)
     * @param keep how many rotated files to keep (0: none)
     */
    public static AuditLog open(Path dir, long maxBytes, int keep) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (maxBytes < 1024 || keep < 0) {
            throw new IllegalArgumentException(
                    "audit log: maxBytes must be at least 1024 and keep at least 0");
        }
        return new AuditLog(dir, maxBytes, keep, JsonLineFile.open(dir.resolve(FILE)));
    }

    /** The current file. */
    public Path file() {
        return dir.resolve(FILE);
    }

    /**
     * Appends the event and syncs it. A failure to write is logged at error level, not thrown: the
     * change it records has been made.
     */
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        JsonObject line = JsonTrees.toJsonObject(event.toJson());
        try {
            append(line);
        } catch (IOException | RuntimeException e) {
            logger.error("Cannot write to the audit log {}: {} ({})", file(), e.toString(), line);
        }
    }

    private synchronized void append(JsonObject line) throws IOException {
        if (closed) {
            throw new IllegalStateException("the audit log is closed");
        }
        long bytes = JsonTrees.toCompactString(line).getBytes(StandardCharsets.UTF_8).length + 1L;
        if (file.size() > 0 && file.size() + bytes > maxBytes) {
            rotate();
        }
        file.append(line);
    }

    private void rotate() throws IOException {
        file.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (keep > 0) {
            Files.move(file(), rotated(1), StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.delete(file());
        }
        file = JsonLineFile.open(file());
        logger.info("Rotated the audit log {}", file());
    }

    private Path rotated(int n) {
        return dir.resolve(FILE + "." + n);
    }

    /**
     * The events in the log files of {@code dir}, oldest first (rotated files first), as JSON
     * objects; torn or corrupt lines are skipped.
     */
    public static List<Map<String, Object>> read(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int n = 1; Files.exists(dir.resolve(FILE + "." + n)); n++) {
            files.add(0, dir.resolve(FILE + "." + n));
        }
        files.add(dir.resolve(FILE));
        List<Map<String, Object>> events = new ArrayList<>();
        for (Path f : files) {
            JsonLineFile.read(f).records().forEach(r -> events.add(JsonTrees.toJavaMap(r)));
        }
        return events;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            file.close();
        } catch (IOException e) {
            logger.warn("Closing the audit log failed: {}", e.toString());
        }
    }
}
