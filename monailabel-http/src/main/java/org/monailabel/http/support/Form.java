package org.monailabel.http.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parsed form: text fields in memory, file parts spooled to temporary files that {@link #close}
 * deletes (move a file elsewhere to keep it). Not thread-safe; one per request.
 */
public final class Form implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Form.class);

    /**
     * One file part.
     *
     * @param field the part's name ({@code file}, {@code label}, {@code files})
     * @param clientName the {@code filename} the client sent (may be a full client path)
     * @param file the temporary file holding the bytes
     * @param size number of bytes
     */
    public record FilePart(String field, String clientName, Path file, long size) {
        public FilePart {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(clientName, "clientName");
            Objects.requireNonNull(file, "file");
        }
    }

    private final Map<String, List<String>> fields = new LinkedHashMap<>();
    private final Map<String, List<FilePart>> files = new LinkedHashMap<>();

    /** An empty form. */
    public static Form empty() {
        return new Form();
    }

    void addField(String name, String value) {
        fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    void addFile(FilePart part) {
        files.computeIfAbsent(part.field(), k -> new ArrayList<>()).add(part);
    }

    void replaceLastFile(String name, FilePart part) {
        List<FilePart> parts = files.get(name);
        parts.set(parts.size() - 1, part);
    }

    /** The first text field of this name. */
    public Optional<String> field(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The first file part of this name. */
    public Optional<FilePart> file(String name) {
        List<FilePart> parts = files.get(name);
        return parts == null || parts.isEmpty() ? Optional.empty() : Optional.of(parts.get(0));
    }

    /** All file parts of this name. */
    public List<FilePart> files(String name) {
        return List.copyOf(files.getOrDefault(name, List.of()));
    }

    /** Deletes the temporary files still in place. */
    @Override
    public void close() {
        for (List<FilePart> parts : files.values()) {
            for (FilePart part : parts) {
                try {
                    Files.deleteIfExists(part.file());
                } catch (IOException e) {
                    logger.warn("Could not delete upload {}: {}", part.file(), e.toString());
                }
            }
        }
    }
}
