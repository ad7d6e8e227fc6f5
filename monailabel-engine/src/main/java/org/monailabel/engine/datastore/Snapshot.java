package org.monailabel.engine.datastore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes {@code datastore_v2.json}: pretty-printed with a 2-space indent like MONAI
 * Label, written durably (temporary file, sync, rename, sync folder). A file that does not parse is
 * moved aside ({@code datastore_v2.json.corrupt-<UTC time>}), kept for the operator.
 */
final class Snapshot {
    private static final Logger logger = LoggerFactory.getLogger(Snapshot.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Snapshot() {}

    /**
     * The parsed file; empty if there is none or it was corrupt (and then moved aside unless
     * read-only).
     */
    static Optional<JsonObject> read(Path file, boolean readOnly) throws IOException {
        String text;
        try {
            text =
                    new String(
                            Files.readAllBytes(file),
                            StandardCharsets.UTF_8); // lenient: garbage is corrupt
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonElement root = JsonTrees.parse(text);
            if (root.isJsonObject()
                    && (!root.getAsJsonObject().has(DatastoreIndex.OBJECTS)
                            || root.getAsJsonObject().get(DatastoreIndex.OBJECTS).isJsonObject())) {
                return Optional.of(root.getAsJsonObject());
            }
        } catch (JsonParseException | IllegalStateException e) {
            logger.debug("Cannot parse {}", file, e);
        }
        if (readOnly) {
            logger.warn(
                    "{} is corrupt; read-only, so rebuilding the index from the files in memory",
                    PersistentIndex.FILE_NAME);
        } else {
            Path aside =
                    file.resolveSibling(
                            PersistentIndex.FILE_NAME + ".corrupt-" + STAMP.format(Instant.now()));
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(file.getParent());
            logger.warn(
                    "{} is corrupt: moved it to {} and rebuilding the index from the files",
                    PersistentIndex.FILE_NAME,
                    aside.getFileName());
        }
        return Optional.empty();
    }

    /** Writes the file durably. */
    static void write(Path file, DatastoreIndex.Copy copy) throws IOException {
        long start = System.nanoTime();
        DurableFiles.write(
                file,
                out -> {
                    BufferedWriter writer =
                            new BufferedWriter(
                                    new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
                    JsonWriter json = JsonTrees.PRETTY.newJsonWriter(writer);
                    JsonTrees.PRETTY.toJson(copy.toJson(), json);
                    json.flush();
                    writer.flush();
                });
        logger.debug(
                "Wrote {} ({} objects) in {} ms",
                PersistentIndex.FILE_NAME,
                copy.entries().size(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
