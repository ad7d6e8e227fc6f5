package org.monailabel.engine.datastore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.monailabel.api.error.ConflictException;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal of index changes, in numbered hidden segment files {@code
 * .datastore_v2.journal.<n>} next to the snapshot.
 *
 * <p>Each record is one line {@code <length>:<crc32 hex>:<json>\n} where the JSON (compact, UTF-8,
 * {@code length} bytes) is a whole-entry change, {@code {"op":"set","id":...,"object":{...}}} or
 * {@code {"op":"remove","id":...}}. Records are idempotent, so replaying a segment twice is
 * harmless. Every append is synced before it returns (except advisory ones); a torn last line (a
 * crash mid-append) fails its length or CRC check and is ignored with everything after it in that
 * segment.
 *
 * <p>Not thread-safe: the datastore calls it under its index lock.
 */
final class Journal implements AutoCloseable {
    static final String PREFIX = ".datastore_v2.journal.";

    private static final Logger logger = LoggerFactory.getLogger(Journal.class);

    private final Path dir;
    private long segment;
    private FileChannel channel;
    private boolean closed;

    private Journal(Path dir, long segment) throws IOException {
        this.dir = dir;
        this.segment = segment;
        this.channel = openSegment(segment);
    }

    /** Starts writing segment {@code segment} (a number above every existing segment). */
    static Journal start(Path dir, long segment) throws IOException {
        return new Journal(dir, segment);
    }

    /** The segment files in {@code dir}, oldest first. */
    static List<Path> segments(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path file : files) {
                number(file).ifPresent(n -> found.add(file));
            }
        }
        found.sort(Comparator.comparingLong(file -> number(file).orElseThrow()));
        return found;
    }

    static Optional<Long> number(Path segmentFile) {
        String name = segmentFile.getFileName().toString();
        try {
            return Optional.of(Long.parseLong(name.substring(PREFIX.length())));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    /** Feeds every intact record of {@code segmentFile} to {@code sink}; returns how many. */
    static int replay(Path segmentFile, Consumer<JsonObject> sink) throws IOException {
        byte[] data = Files.readAllBytes(segmentFile);
        int count = 0;
        int pos = 0;
        while (pos < data.length) {
            Optional<Record> record = Record.parse(data, pos);
            if (record.isEmpty()) {
                logger.warn(
                        "Ignoring a torn or corrupt record at byte {} of {} ({} bytes left)",
                        pos,
                        segmentFile.getFileName(),
                        data.length - pos);
                break;
            }
            sink.accept(record.get().json());
            pos = record.get().end();
            count++;
        }
        return count;
    }

    /** Appends records and syncs them to disk (once for all). */
    void append(List<JsonObject> records) throws IOException {
        append(records, true);
    }

    /**
     * Appends records; syncs them unless {@code sync} is false (advisory records, see
     * PersistentIndex).
     */
    void append(List<JsonObject> records, boolean sync) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (JsonObject record : records) {
            byte[] json = JsonTrees.toCompactString(record).getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(json);
            bytes.writeBytes(
                    (json.length + ":" + String.format("%08x", crc.getValue()) + ":")
                            .getBytes(StandardCharsets.US_ASCII));
            bytes.writeBytes(json);
            bytes.write('\n');
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
        if (closed) {
            throw new ConflictException("The datastore is closed");
        }
        if (!channel.isOpen()) {
            rotate(); // an interrupted writer closed it
        }
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            // The segment may now end in a partial record, and replay stops there: continue in a
            // fresh segment so that later records are not lost behind it.
            try {
                rotate();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** Closes the current segment and starts the next; returns the new segment's number. */
    long rotate() throws IOException {
        FileChannel next = openSegment(segment + 1);
        channel.close();
        channel = next;
        segment++;
        return segment;
    }

    long segment() {
        return segment;
    }

    /** Deletes the segments numbered below {@code segment} (their changes are in the snapshot). */
    void deleteSegmentsBefore(long keep) throws IOException {
        boolean deleted = false;
        for (Path file : segments(dir)) {
            if (number(file).orElseThrow() < keep) {
                deleted |= Files.deleteIfExists(file);
            }
        }
        if (deleted) {
            DurableFiles.syncDirectory(dir);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    private FileChannel openSegment(long n) throws IOException {
        FileChannel opened =
                FileChannel.open(
                        dir.resolve(PREFIX + n),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
        DurableFiles.syncDirectory(dir);
        return opened;
    }

    /** One parsed record and the offset just after its line. */
    private record Record(JsonObject json, int end) {
        static Optional<Record> parse(byte[] data, int pos) {
            int colon1 = indexOf(data, (byte) ':', pos, pos + 12);
            if (colon1 < 0) {
                return Optional.empty();
            }
            int colon2 = colon1 + 9;
            if (colon2 >= data.length || data[colon2] != ':') {
                return Optional.empty();
            }
            try {
                int length = Integer.parseInt(ascii(data, pos, colon1));
                long expectedCrc = Long.parseLong(ascii(data, colon1 + 1, colon2), 16);
                int start = colon2 + 1;
                if (length < 0 || length >= data.length - start || data[start + length] != '\n') {
                    return Optional.empty();
                }
                int end = start + length;
                CRC32 crc = new CRC32();
                crc.update(data, start, length);
                if (crc.getValue() != expectedCrc) {
                    return Optional.empty();
                }
                JsonElement json =
                        JsonTrees.parse(new String(data, start, length, StandardCharsets.UTF_8));
                return json.isJsonObject()
                        ? Optional.of(new Record(json.getAsJsonObject(), end + 1))
                        : Optional.empty();
            } catch (NumberFormatException | JsonParseException e) {
                return Optional.empty();
            }
        }

        private static int indexOf(byte[] data, byte b, int from, int to) {
            for (int i = from; i < Math.min(to, data.length); i++) {
                if (data[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        private static String ascii(byte[] data, int from, int to) {
            return new String(data, from, to - from, StandardCharsets.US_ASCII);
        }
    }
}
