package org.monailabel.engine.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON objects, one compact UTF-8 line each, as the label history and the
 * audit log keep them: every {@link #append} writes its lines whole and syncs them before it
 * returns, so a crash loses at most the lines being written, and those can only be the last ones.
 * What such a crash leaves is a torn last line (bytes after the last newline). {@link #open} ends
 * it with a newline, so that the next line starts on its own, and {@link #read} skips every line
 * that is not a JSON object, counting them: a torn line is tolerated, never glued to the next.
 *
 * <p>Thread-safe: appends are serialised. {@link #read} may run while another thread or process
 * appends (a line being written is then skipped as torn).
 *
 * <pre>{@code
 * try (JsonLineFile log = JsonLineFile.open(dir.resolve("audit.log"))) {
 *     log.append(List.of(record));
 * }
 * JsonLineFile.Lines lines = JsonLineFile.read(dir.resolve("audit.log"));
 * }</pre>
 */
public final class JsonLineFile implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(JsonLineFile.class);

    /**
     * The lines of a file that are JSON objects, in order, and how many others were skipped.
     *
     * @param records the JSON objects, oldest first
     * @param skipped lines that were not a JSON object (torn or corrupt), blank lines not counted
     */
    public record Lines(List<JsonObject> records, int skipped) {
        public Lines {
            records = List.copyOf(records);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private long size;

    private JsonLineFile(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /**
     * Opens (or creates, with its parent folders) the file for appending; a torn last line is ended
     * with a newline first.
     */
    public static JsonLineFile open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path dir = file.toAbsolutePath().getParent();
        boolean created = !Files.exists(file);
        Files.createDirectories(dir);
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                channel.read(last, size - 1);
                if (last.get(0) != '\n') {
                    logger.warn(
                            "{} ends in a torn line (a crash while writing it); it is kept and"
                                    + " skipped by readers",
                            file.getFileName());
                    writeFully(channel, ByteBuffer.wrap(new byte[] {'\n'}), size);
                    channel.force(false);
                    size++;
                }
            }
            if (created) {
                syncDirectory(dir);
            }
            return new JsonLineFile(file, channel, size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The file's size in bytes. */
    public synchronized long size() {
        return size;
    }

    /** Appends one record and syncs it. */
    public void append(JsonObject record) throws IOException {
        append(List.of(record));
    }

    /** Appends records (one line each) and syncs them, once for all. */
    public synchronized void append(List<JsonObject> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (JsonObject record : records) {
            bytes.writeBytes(JsonTrees.toCompactString(record).getBytes(StandardCharsets.UTF_8));
            bytes.write('\n');
        }
        writeFully(channel, ByteBuffer.wrap(bytes.toByteArray()), size);
        channel.force(false);
        size += bytes.size();
    }

    /** Writes at {@code position} (the end: this object is the file's only writer). */
    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Reads every line that is a JSON object; a file that does not exist has none.
     *
     * @throws IOException if the file cannot be read
     */
    public static Lines read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Lines(List.of(), 0);
        }
        List<JsonObject> records = new ArrayList<>();
        int skipped = 0;
        int start = 0;
        while (start < data.length) {
            int end = start;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            String line = new String(data, start, end - start, StandardCharsets.UTF_8).strip();
            if (!line.isEmpty()) {
                Optional<JsonObject> record = parse(line);
                if (record.isPresent()) {
                    records.add(record.get());
                } else {
                    skipped++;
                }
            }
            start = end + 1;
        }
        if (skipped > 0) {
            logger.debug("Skipped {} torn or corrupt line(s) of {}", skipped, file.getFileName());
        }
        return new Lines(records, skipped);
    }

    /** The line's object, if it is one (a torn line never is: its closing brace is missing). */
    private static Optional<JsonObject> parse(String line) {
        try {
            JsonElement element = JsonTrees.parse(line);
            return element.isJsonObject()
                    ? Optional.of(element.getAsJsonObject())
                    : Optional.empty();
        } catch (JsonParseException e) {
            return Optional.empty();
        }
    }

    /** Makes a file's creation in {@code dir} durable (a no-op where folders cannot be opened). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
