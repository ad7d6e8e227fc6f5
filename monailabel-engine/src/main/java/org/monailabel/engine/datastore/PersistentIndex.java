package org.monailabel.engine.datastore;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;
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

    private final Path studies;
    private final DatastoreIndex index;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock snapshotLock = new ReentrantLock();
    private final Optional<Journal> journal;
    private volatile boolean dirty;
    private List<Path> replayedDeletes = List.of();

    private PersistentIndex(
            Path studies, DatastoreIndex index, Optional<Journal> journal, boolean dirty) {
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
        Optional<JsonObject> root = Snapshot.read(file, readOnly);
        if (root.isPresent()) {
            index = DatastoreIndex.fromJson(root.get());
        } else {
            index = DatastoreIndex.empty();
            dirty = true;
        }
        List<Path> segments = Journal.segments(studies);
        List<Path> deletes = new ArrayList<>();
        for (Path segment : segments) {
            int records;
            try {
                records =
                        Journal.replay(
                                segment,
                                record -> replay(studies, index, record, readOnly, deletes));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            logger.info("Replayed {} journal records from {}", records, segment.getFileName());
            dirty = true;
        }
        Optional<Journal> journal = Optional.empty();
        if (!readOnly) {
            long next =
                    segments.isEmpty()
                            ? 1
                            : Journal.number(segments.get(segments.size() - 1)).orElseThrow() + 1;
            journal = Optional.of(Journal.start(studies, next));
        }
        PersistentIndex store = new PersistentIndex(studies, index, journal, dirty);
        store.replayedDeletes = List.copyOf(deletes);
        return store;
    }

    private static void replay(
            Path studies,
            DatastoreIndex index,
            JsonObject record,
            boolean readOnly,
            List<Path> deletes) {
        String op = record.get("op").getAsString();
        String id = record.get("id").getAsString();
        if (op.equals("set")) {
            if (record.has("moves") && !readOnly) {
                redoMoves(studies, record.getAsJsonArray("moves"));
            }
            if (record.has("deletes")) {
                record.getAsJsonArray("deletes")
                        .forEach(
                                path ->
                                        deletes.add(
                                                studies.resolve(path.getAsString()).normalize()));
            }
            index.put(ObjectEntry.of(id, record.getAsJsonObject("object")));
        } else if (op.equals("remove")) {
            index.remove(id);
        } else {
            logger.warn("Ignoring a journal record with unknown op {}", op);
        }
    }

    /**
     * Finishes the moves of a record whose process died before doing them (temporary file still
     * there).
     */
    private static void redoMoves(Path studies, JsonArray moves) {
        for (JsonElement element : moves) {
            Path from =
                    studies.resolve(element.getAsJsonObject().get("from").getAsString())
                            .normalize();
            Path to =
                    studies.resolve(element.getAsJsonObject().get("to").getAsString()).normalize();
            if (Files.exists(from)
                    && from.getFileName().toString().startsWith(DurableFiles.TEMP_PREFIX)) {
                try {
                    new Move(from, to).run();
                    logger.info("Finished moving {} into place after a crash", to.getFileName());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /**
     * Files that replayed records replaced (a label or image saved with another extension). The
     * process may have died before deleting them; the caller deletes those the index does not name.
     */
    List<Path> replayedDeletes() {
        return replayedDeletes;
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
     * entry. Same as {@link #update(String, Function, FileChanges)} without file changes.
     */
    Optional<ObjectEntry> update(
            String id, Function<Optional<ObjectEntry>, Optional<ObjectEntry>> change)
            throws IOException {
        return update(id, change, FileChanges.NONE);
    }

    /**
     * Atomically changes one object's index entry with a journal record that is written but not
     * synced: for advisory data (a sample hand-out time) whose loss in a power cut is harmless. A
     * crash can only lose such records at the end of the journal, because every later synced record
     * makes them durable too (a sync covers the whole file).
     */
    void updateAdvisory(String id, UnaryOperator<ObjectEntry> change) throws IOException {
        lock.lock();
        try {
            ObjectEntry current = index.get(id).orElseThrow(() -> FileOperations.notFound(id));
            ObjectEntry next = change.apply(current);
            if (journal.isPresent()) {
                journal.get().append(List.of(setRecord(next, FileChanges.NONE)), false);
            }
            dirty = true;
            index.put(next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Atomically changes one object and moves complete, synced temporary files into place. The
     * journal record names the moves, and they happen under the lock right after it is synced: if
     * the process dies in between, replay redoes the moves whose temporary file still exists. So
     * the index never describes a file (its {@code info}) that is not the one in place, even when a
     * file is replaced under the same name. Then the files the new entry no longer names are
     * deleted (replay finishes that too). File changes apply only when the new entry is present.
     */
    Optional<ObjectEntry> update(
            String id,
            Function<Optional<ObjectEntry>, Optional<ObjectEntry>> change,
            FileChanges files)
            throws IOException {
        lock.lock();
        try {
            Optional<ObjectEntry> current = index.get(id);
            Optional<ObjectEntry> next = change.apply(current);
            if (next.isPresent()) {
                append(List.of(setRecord(next.get(), files)));
                try {
                    for (Move move : files.moves()) {
                        move.run();
                    }
                } catch (IOException e) {
                    // undo the record, so that replay does not apply it with the wrong file
                    append(
                            List.of(
                                    current.map(entry -> setRecord(entry, FileChanges.NONE))
                                            .orElseGet(() -> removeRecord(id))));
                    throw e;
                }
                index.put(next.get());
                for (Path delete : files.deletes()) {
                    try {
                        DurableFiles.delete(delete);
                    } catch (IOException e) {
                        logger.warn(
                                "Cannot delete the replaced file {}: {}",
                                delete.getFileName(),
                                e.toString());
                    }
                }
            } else if (current.isPresent()) {
                append(List.of(removeRecord(id)));
                index.remove(id);
            }
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Journals (with one sync) and applies several removals and new or replaced objects. */
    void applyAll(List<String> removals, List<ObjectEntry> entries) throws IOException {
        if (entries.isEmpty() && removals.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            List<JsonObject> records = new ArrayList<>(removals.size() + entries.size());
            removals.forEach(id -> records.add(removeRecord(id)));
            entries.forEach(entry -> records.add(setRecord(entry, FileChanges.NONE)));
            append(records);
            removals.forEach(index::remove);
            entries.forEach(index::put);
        } finally {
            lock.unlock();
        }
    }

    private JsonObject setRecord(ObjectEntry entry, FileChanges files) {
        JsonObject record = new JsonObject();
        record.addProperty("op", "set");
        record.addProperty("id", entry.id());
        record.add("object", entry.json());
        if (!files.deletes().isEmpty()) {
            JsonArray deletes = new JsonArray();
            files.deletes().forEach(path -> deletes.add(studies.relativize(path).toString()));
            record.add("deletes", deletes);
        }
        if (!files.moves().isEmpty()) {
            JsonArray array = new JsonArray();
            for (Move move : files.moves()) {
                JsonObject json = new JsonObject();
                json.addProperty("from", studies.relativize(move.from()).toString());
                json.addProperty("to", studies.relativize(move.to()).toString());
                array.add(json);
            }
            record.add("moves", array);
        }
        return record;
    }

    private static JsonObject removeRecord(String id) {
        JsonObject record = new JsonObject();
        record.addProperty("op", "remove");
        record.addProperty("id", id);
        return record;
    }

    private void append(List<JsonObject> records) throws IOException {
        if (journal.isPresent()) {
            journal.get().append(records);
        }
        dirty = true;
    }

    /**
     * The file side of a change: temporary files to move into place, then replaced files to delete.
     */
    record FileChanges(List<Move> moves, List<Path> deletes) {
        static final FileChanges NONE = new FileChanges(List.of(), List.of());
    }

    /** Renames a complete temporary file over its target, durably. */
    record Move(Path from, Path to) {
        void run() throws IOException {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.syncDirectory(to.getParent());
        }
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
                Snapshot.write(studies.resolve(FILE_NAME), copy);
            } catch (IOException | RuntimeException e) {
                dirty = true; // try again later; the journal still holds every change
                throw e;
            }
            journal.get().deleteSegmentsBefore(keep);
        } finally {
            snapshotLock.unlock();
        }
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
            snapshot(); // ends with a snapshot and no journal, so MONAI Label can take over the
            // folder
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
