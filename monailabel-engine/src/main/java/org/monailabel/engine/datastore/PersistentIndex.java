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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index and its persistence: a snapshot ({@code datastore_v2.json}, MONAI Label's file) plus
 * the {@link Journal} of changes since that snapshot.
 *
 * <p>Every change is a whole-object record, journaled (synced) and then applied in memory, under
 * one lock. {@link #snapshot} switches the journal to a new segment under the lock, copies the
 * object references, writes the snapshot outside the lock (temporary file, sync, rename, sync
 * folder) and then deletes the older segments. Opening loads the snapshot and replays every
 * remaining segment in order; records are idempotent, so a crash at any point loses nothing that
 * was acknowledged. In read-only mode nothing is written and changes stay in memory.
 */
final class PersistentIndex implements AutoCloseable {
    static final String FILE_NAME = "datastore_v2.json";

    private static final Logger logger = LoggerFactory.getLogger(PersistentIndex.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path studies;
    private final DatastoreIndex index;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock snapshotLock = new ReentrantLock();
    private final Optional<Journal> journal;
    private volatile boolean dirty;

    private PersistentIndex(Path studies, DatastoreIndex index, Optional<Journal> journal, boolean dirty) {
        this.studies = studies;
        this.index = index;
        this.journal = journal;
        this.dirty = dirty;
    }

    /** Loads the snapshot and replays the journal; writable unless {@code readOnly}. */
    static PersistentIndex open(Path studies, boolean readOnly) throws IOException {
        Path file = studies.resolve(FILE_NAME);
        boolean dirty = false;
        DatastoreIndex index;
        Optional<JsonObject> root = readSnapshot(file, readOnly);
        if (root.isPresent()) {
            index = DatastoreIndex.fromJson(root.get());
        } else {
            index = DatastoreIndex.empty();
            dirty = true;
        }
        List<Path> segments = Journal.segments(studies);
        for (Path segment : segments) {
            int records = Journal.replay(segment, record -> replay(index, record));
            logger.info("Replayed {} journal records from {}", records, segment.getFileName());
            dirty = true;
        }
        Optional<Journal> journal = Optional.empty();
        if (!readOnly) {
            long next = segments.isEmpty() ? 1 : Journal.number(segments.get(segments.size() - 1)).orElseThrow() + 1;
            journal = Optional.of(Journal.start(studies, next));
        }
        return new PersistentIndex(studies, index, journal, dirty);
    }

    private static Optional<JsonObject> readSnapshot(Path file, boolean readOnly) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonElement root = JsonTrees.parse(text);
            if (root.isJsonObject() && (!root.getAsJsonObject().has(DatastoreIndex.OBJECTS)
                    || root.getAsJsonObject().get(DatastoreIndex.OBJECTS).isJsonObject())) {
                return Optional.of(root.getAsJsonObject());
            }
        } catch (JsonParseException | IllegalStateException e) {
            logger.debug("Cannot parse {}", file, e);
        }
        if (readOnly) {
            logger.warn("{} is corrupt; read-only, so rebuilding the index from the files in memory", FILE_NAME);
        } else {
            Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + STAMP.format(Instant.now()));
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(file.getParent());
            logger.warn("{} is corrupt: moved it to {} and rebuilding the index from the files", FILE_NAME,
                    aside.getFileName());
        }
        return Optional.empty();
    }

    private static void replay(DatastoreIndex index, JsonObject record) {
        String op = record.get("op").getAsString();
        String id = record.get("id").getAsString();
        if (op.equals("set")) {
            index.put(ObjectEntry.of(id, record.getAsJsonObject("object")));
        } else if (op.equals("remove")) {
            index.remove(id);
        } else {
            logger.warn("Ignoring a journal record with unknown op {}", op);
        }
    }

    /** The index, for lock-free reads. */
    DatastoreIndex index() {
        return index;
    }

    /** The lock that every change holds; reentrant. */
    ReentrantLock lock() {
        return lock;
    }

    /**
     * Atomically changes one object: {@code change} gets the current entry (empty if none) and
     * returns the new one (empty to remove it), which is journaled and applied. Returns the new
     * entry.
     */
    Optional<ObjectEntry> update(String id, Function<Optional<ObjectEntry>, Optional<ObjectEntry>> change)
            throws IOException {
        lock.lock();
        try {
            Optional<ObjectEntry> current = index.get(id);
            Optional<ObjectEntry> next = change.apply(current);
            if (next.isPresent()) {
                put(next.get());
            } else if (current.isPresent()) {
                remove(id);
            }
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Journals and applies a new or replaced object. */
    void put(ObjectEntry entry) throws IOException {
        lock.lock();
        try {
            JsonObject record = new JsonObject();
            record.addProperty("op", "set");
            record.addProperty("id", entry.id());
            record.add("object", entry.json());
            append(record);
            index.put(entry);
        } finally {
            lock.unlock();
        }
    }

    /** Journals (with one sync) and applies several new or replaced objects. */
    void putAll(List<ObjectEntry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            List<JsonObject> records = new java.util.ArrayList<>(entries.size());
            for (ObjectEntry entry : entries) {
                JsonObject record = new JsonObject();
                record.addProperty("op", "set");
                record.addProperty("id", entry.id());
                record.add("object", entry.json());
                records.add(record);
            }
            if (journal.isPresent()) {
                journal.get().append(records);
            }
            dirty = true;
            entries.forEach(index::put);
        } finally {
            lock.unlock();
        }
    }

    /** Journals and applies the removal of an object. */
    void remove(String id) throws IOException {
        lock.lock();
        try {
            JsonObject record = new JsonObject();
            record.addProperty("op", "remove");
            record.addProperty("id", id);
            append(record);
            index.remove(id);
        } finally {
            lock.unlock();
        }
    }

    private void append(JsonObject record) throws IOException {
        if (journal.isPresent()) {
            journal.get().append(List.of(record));
        }
        dirty = true;
    }

    boolean dirty() {
        return dirty;
    }

    /** A consistent copy of the whole model. */
    DatastoreIndex.Copy copy() {
        lock.lock();
        try {
            return index.copy();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the snapshot if anything changed since the last one, then drops the journal segments
     * it covers. Snapshots never overlap; a no-op in read-only mode.
     */
    void snapshot() throws IOException {
        if (journal.isEmpty()) {
            return;
        }
        snapshotLock.lock();
        try {
            long keep;
            DatastoreIndex.Copy copy;
            lock.lock();
            try {
                if (!dirty) {
                    return;
                }
                keep = journal.get().rotate();
                copy = index.copy();
                dirty = false;
            } finally {
                lock.unlock();
            }
            try {
                writeSnapshot(copy);
            } catch (IOException | RuntimeException e) {
                dirty = true; // try again later; the journal still holds every change
                throw e;
            }
            journal.get().deleteSegmentsBefore(keep);
        } finally {
            snapshotLock.unlock();
        }
    }

    private void writeSnapshot(DatastoreIndex.Copy copy) throws IOException {
        long start = System.nanoTime();
        DurableFiles.write(studies.resolve(FILE_NAME), out -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            JsonWriter json = JsonTrees.PRETTY.newJsonWriter(writer);
            JsonTrees.PRETTY.toJson(copy.toJson(), json);
            json.flush();
            writer.flush();
        });
        logger.debug("Wrote {} ({} objects) in {} ms", FILE_NAME, copy.entries().size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Writes a final snapshot (dropping the journal) and closes the journal. */
    @Override
    public void close() throws IOException {
        if (journal.isEmpty()) {
            return;
        }
        snapshotLock.lock();
        lock.lock();
        try {
            snapshot(); // ends with a snapshot and no journal, so MONAI Label can take over the folder
            long last = journal.get().segment();
            journal.get().close();
            Files.deleteIfExists(studies.resolve(Journal.PREFIX + last));
            DurableFiles.syncDirectory(studies);
        } finally {
            lock.unlock();
            snapshotLock.unlock();
        }
    }
}
