package org.monailabel.engine.datastore;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.monailabel.api.Datastore.Transfer;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing operations of {@link LocalDatastore}, in crash-safe order: a new file is checked
 * ({@link ContentCheck}) and then copied (or, if handed over, renamed) and synced under a temporary
 * name; then the journal record (naming the rename) is synced and the file renamed into place, so
 * the index and the file in place always match; a removed file is deleted before the index forgets
 * it (a crash in between is healed by the next reconcile); a replaced file with another extension
 * is deleted after the index names the new one. Each operation holds the {@link OperationLocks} of
 * its image id and of the file name it writes.
 */
final class FileOperations {
    private static final Logger logger = LoggerFactory.getLogger(FileOperations.class);

    private final PersistentIndex store;
    private final OperationLocks locks;
    private final Path studies;
    private final Path imagesDir;
    private final Path labelsDir;
    private final boolean checkContent;
    private final LabelHistory history;

    FileOperations(
            PersistentIndex store,
            OperationLocks locks,
            Path studies,
            Path imagesDir,
            Path labelsDir,
            boolean checkContent,
            LabelHistory history) {
        this.store = store;
        this.history = history;
        this.checkContent = checkContent;
        this.locks = locks;
        this.studies = studies;
        this.imagesDir = imagesDir;
        this.labelsDir = labelsDir;
    }

    static NotFoundException notFound(String imageId) {
        return new NotFoundException("Image '" + imageId + "' not found");
    }

    /** Atomically replaces the entry of an existing image with {@code change(entry)}. */
    void change(String imageId, UnaryOperator<ObjectEntry> change) throws IOException {
        Ids.checkImageId(imageId);
        store.update(
                imageId,
                current -> Optional.of(change.apply(current.orElseThrow(() -> notFound(imageId)))));
    }

    String addImage(
            String imageId,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        Ids.checkImageId(imageId);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(transfer, "transfer");
        String ext = FileExtensions.extensionOf(Objects.requireNonNull(sourceName, "sourceName"));
        String fileName = checkImageFileName(imageId + ext);
        JsonObject imageInfo = stamped(info, fileName);
        checkSource(source, sourceName, transfer, "Image");
        try (OperationLocks.Guard guard = locks.operation(imageId, "/" + fileName)) {
            checkOwner(store.index().imageOwner(fileName), imageId, fileName);
            Staged staged = stage(source, imagesDir, transfer);
            List<Path> replaced =
                    store
                            .index()
                            .get(imageId)
                            .map(ObjectEntry::imageFileName)
                            .filter(name -> !name.equals(fileName))
                            .map(imagesDir::resolve)
                            .stream()
                            .toList();
            try {
                store.update(
                        imageId,
                        current ->
                                Optional.of(
                                        current.map(entry -> entry.withImage(ext, imageInfo))
                                                .orElseGet(
                                                        () ->
                                                                ObjectEntry.create(
                                                                        imageId, ext, imageInfo))),
                        new PersistentIndex.FileChanges(
                                List.of(
                                        new PersistentIndex.Move(
                                                staged.temp(), imagesDir.resolve(fileName))),
                                replaced));
            } finally {
                staged.discard(); // only if the move did not happen
            }
            staged.finish();
        }
        return imageId;
    }

    void removeImage(String imageId, LabelEdit edit) throws IOException {
        Ids.checkImageId(imageId);
        try (OperationLocks.Guard guard = locks.operation(imageId)) {
            ObjectEntry entry = store.index().get(imageId).orElseThrow(() -> notFound(imageId));
            for (String tag : entry.labelTags()) {
                Optional<Path> file = labelFile(entry, tag);
                history.sync(imageId, tag, file);
                if (file.isPresent()) {
                    history.recordRemoval(imageId, tag, edit); // before the file goes
                }
                DurableFiles.delete(
                        labelsDir.resolve(tag).resolve(entry.labelFileName(tag).orElseThrow()));
            }
            DurableFiles.delete(imagesDir.resolve(entry.imageFileName()));
            store.update(imageId, current -> Optional.empty());
        }
    }

    LabelVersion saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer,
            LabelEdit edit)
            throws IOException {
        Ids.checkImageId(imageId);
        Ids.checkTag(tag);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(transfer, "transfer");
        String ext = FileExtensions.extensionOf(Objects.requireNonNull(sourceName, "sourceName"));
        String fileName = Ids.checkFileName(imageId + ext);
        JsonObject labelInfo = stamped(info, fileName);
        Path dir = labelsDir.resolve(tag);
        store.index().get(imageId).orElseThrow(() -> notFound(imageId)); // before reading the file
        checkSource(source, sourceName, transfer, "Label");
        try (OperationLocks.Guard guard = locks.operation(imageId, tag + "/" + fileName)) {
            ObjectEntry entry = store.index().get(imageId).orElseThrow(() -> notFound(imageId));
            checkOwner(store.index().labelOwner(tag, fileName), imageId, fileName);
            edit.condition().check(history.sync(imageId, tag, labelFile(entry, tag)));
            DurableFiles.createDirectory(dir);
            Staged staged = stage(source, dir, transfer);
            List<Path> replaced =
                    entry
                            .labelFileName(tag)
                            .filter(name -> !name.equals(fileName))
                            .map(dir::resolve)
                            .stream()
                            .toList();
            LabelHistory.Entry version;
            try {
                version = history.prepare(imageId, tag, staged.temp(), fileName, edit);
            } catch (IOException | RuntimeException e) {
                staged.discard();
                throw e;
            }
            try {
                store.update(
                        imageId,
                        current ->
                                Optional.of(
                                        current.orElseThrow(() -> notFound(imageId))
                                                .withLabel(tag, ext, labelInfo)),
                        new PersistentIndex.FileChanges(
                                List.of(
                                        new PersistentIndex.Move(
                                                staged.temp(), dir.resolve(fileName))),
                                replaced));
            } catch (IOException | RuntimeException e) {
                voidQuietly(version, e);
                throw e;
            } finally {
                staged.discard(); // only if the move did not happen
            }
            staged.finish();
            return version.version();
        }
    }

    /** Voids a version whose save failed; should that fail too, the next open voids it. */
    private void voidQuietly(LabelHistory.Entry version, Exception cause) {
        try {
            history.voidVersion(version);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    Optional<LabelVersion> removeLabel(String imageId, String tag, LabelEdit edit)
            throws IOException {
        Ids.checkImageId(imageId);
        Ids.checkTag(tag);
        try (OperationLocks.Guard guard = locks.operation(imageId)) {
            ObjectEntry entry = store.index().get(imageId).orElseThrow(() -> notFound(imageId));
            Optional<Path> file = labelFile(entry, tag);
            edit.condition().check(history.sync(imageId, tag, file));
            Optional<String> name = entry.labelFileName(tag);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            Optional<LabelVersion> removal = Optional.empty();
            if (file.isPresent()) {
                removal = Optional.of(history.recordRemoval(imageId, tag, edit)); // file next
            }
            DurableFiles.delete(labelsDir.resolve(tag).resolve(name.get()));
            store.update(imageId, current -> current.map(e -> e.withoutLabel(tag)));
            return removal;
        }
    }

    /**
     * Merges {@code changes} into a label's info under its image's lock, if {@code edit}'s
     * condition holds; returns the label's current version.
     */
    LabelVersion updateLabelInfo(
            String imageId, String tag, UnaryOperator<JsonObject> change, LabelEdit edit)
            throws IOException {
        Ids.checkImageId(imageId);
        Ids.checkTag(tag);
        try (OperationLocks.Guard guard = locks.operation(imageId)) {
            ObjectEntry entry = store.index().get(imageId).orElseThrow(() -> notFound(imageId));
            JsonObject info = entry.labelInfo(tag).orElseThrow(() -> labelNotFound(imageId, tag));
            Optional<Path> file = labelFile(entry, tag);
            List<LabelVersion> versions = history.sync(imageId, tag, file);
            edit.condition().check(versions);
            if (file.isEmpty()) {
                throw labelNotFound(imageId, tag);
            }
            JsonObject merged = change.apply(info);
            store.update(
                    imageId,
                    current ->
                            Optional.of(
                                    current.orElseThrow(() -> notFound(imageId))
                                            .withLabelInfo(tag, merged)));
            return versions.get(versions.size() - 1);
        }
    }

    /** The label's history, brought up to the file in place (under its image's lock). */
    List<LabelVersion> labelHistory(String imageId, String tag) throws IOException {
        Ids.checkImageId(imageId);
        Ids.checkTag(tag);
        try (OperationLocks.Guard guard = locks.operation(imageId)) {
            ObjectEntry entry = store.index().get(imageId).orElseThrow(() -> notFound(imageId));
            return history.sync(imageId, tag, labelFile(entry, tag));
        }
    }

    /** The file of a saved version. */
    Path labelVersionFile(String imageId, String tag, int version) {
        Ids.checkImageId(imageId);
        Ids.checkTag(tag);
        store.index().get(imageId).orElseThrow(() -> notFound(imageId));
        return history.file(imageId, tag, version);
    }

    /** At open: voids label versions whose change a crash cut short. */
    void recoverHistory() throws IOException {
        history.recover(
                key ->
                        store.index()
                                .get(key.imageId())
                                .flatMap(entry -> labelFile(entry, key.tag())));
    }

    private Optional<Path> labelFile(ObjectEntry entry, String tag) {
        return entry.labelFileName(tag)
                .map(name -> labelsDir.resolve(tag).resolve(name))
                .filter(Files::isRegularFile);
    }

    static NotFoundException labelNotFound(String imageId, String tag) {
        return new NotFoundException("Label '" + imageId + "' with tag '" + tag + "' not found");
    }

    /**
     * Finishes what a crash interrupted: files replaced by a file with another extension are
     * deleted unless the index names them again (otherwise a later reconcile would index them).
     */
    void deleteReplacedFiles() throws IOException {
        for (Path file : store.replayedDeletes()) {
            if (!namedByIndex(file) && DurableFiles.delete(file)) {
                logger.info(
                        "Deleted replaced file {} left by an earlier crash", file.getFileName());
            }
        }
    }

    private boolean namedByIndex(Path file) {
        String name = file.getFileName().toString();
        Path dir = file.getParent();
        if (dir.equals(imagesDir)) {
            return store.index().imageOwner(name).isPresent();
        }
        if (labelsDir.equals(dir.getParent())) {
            return store.index().labelOwner(dir.getFileName().toString(), name).isPresent();
        }
        return true; // not ours to delete
    }

    /**
     * Whether a file event may need a reconcile: an indexed file that vanished, or an unindexed
     * file that may be indexed. Events of our own writes (indexed files, in place) need none.
     */
    boolean mayChangeIndex(Path dir, String name) {
        Optional<String> owner;
        if (dir.equals(imagesDir)) {
            owner = store.index().imageOwner(name);
        } else if (labelsDir.equals(dir.getParent())) {
            owner = store.index().labelOwner(dir.getFileName().toString(), name);
        } else {
            return true;
        }
        boolean exists = Files.exists(dir.resolve(name));
        return owner.isPresent() ? !exists : exists && FileExtensions.idOf(name).isPresent();
    }

    /**
     * Checks the content against the extension (unless disabled) and refuses to move a file out of
     * the datastore's own folders, before any lock is taken: decoding may take a while.
     */
    private void checkSource(Path source, String sourceName, Transfer transfer, String what)
            throws IOException {
        if (transfer == Transfer.MOVE) {
            Path parent = source.toAbsolutePath().normalize().getParent();
            if (parent != null
                    && (parent.equals(imagesDir) || labelsDir.equals(parent.getParent()))) {
                throw new InvalidInputException(
                        what + " file to move is in the datastore's own folder; copy it");
            }
        }
        if (checkContent) {
            ContentCheck.check(source, sourceName, what);
        }
    }

    /**
     * Puts the source into a synced temporary file in {@code dir}: renamed there if it may be, else
     * copied.
     */
    private static Staged stage(Path source, Path dir, Transfer transfer) throws IOException {
        if (transfer == Transfer.MOVE) {
            Optional<Path> adopted = DurableFiles.adopt(source, dir);
            if (adopted.isPresent()) {
                return new Staged(adopted.get(), source, true, transfer);
            }
        }
        return new Staged(DurableFiles.prepare(source, dir), source, false, transfer);
    }

    /**
     * A source file staged as a temporary file next to its target.
     *
     * @param renamed the source itself was renamed to {@code temp} (else {@code temp} is a copy)
     */
    private record Staged(Path temp, Path source, boolean renamed, Transfer transfer) {
        /** Called whatever happened: a temporary file still there was not moved into place. */
        void discard() throws IOException {
            if (renamed) {
                DurableFiles.giveBack(temp, source);
            } else {
                Files.deleteIfExists(temp);
            }
        }

        /** Called once the file is in place: a move that had to copy deletes the source now. */
        void finish() {
            if (transfer == Transfer.MOVE && !renamed) {
                try {
                    Files.deleteIfExists(source);
                } catch (IOException e) {
                    logger.warn(
                            "Stored a copy of {} but cannot delete it: {}", source, e.toString());
                }
            }
        }
    }

    private static JsonObject stamped(Map<String, Object> info, String fileName) {
        JsonObject json = JsonTrees.toJsonObject(Objects.requireNonNull(info, "info"));
        json.addProperty("ts", Instant.now().getEpochSecond());
        json.addProperty("name", fileName);
        return json;
    }

    private static void checkOwner(Optional<String> owner, String imageId, String fileName) {
        if (owner.isPresent() && !owner.get().equals(imageId)) {
            throw new ConflictException(
                    "File name '" + fileName + "' is already used by image '" + owner.get() + "'");
        }
    }

    /** Refuses names that are too long or that would overwrite the datastore's own files. */
    private String checkImageFileName(String fileName) {
        Ids.checkFileName(fileName);
        if (imagesDir.equals(studies)
                && (fileName.startsWith(PersistentIndex.FILE_NAME)
                        || studies.resolve(fileName).equals(labelsDir)
                        || labelsDir.startsWith(studies.resolve(fileName)))) {
            throw new InvalidInputException(
                    "Image file name '" + fileName + "' is reserved by the datastore");
        }
        return fileName;
    }
}
