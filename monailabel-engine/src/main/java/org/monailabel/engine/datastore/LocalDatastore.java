package org.monailabel.engine.datastore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Datastore} on a studies folder, compatible with MONAI Label's local datastore: images in
 * {@code <images_dir>/<id><ext>}, labels in {@code <labels_dir>/<tag>/<id><ext>}, the index in
 * {@code datastore_v2.json} (unknown keys preserved verbatim).
 *
 * <p>Images and labels are checked with {@link ContentCheck} before anything is stored (see {@link
 * Datastore}; {@link Options#contentCheck} turns it off). A source handed over with {@link
 * Transfer#MOVE} is renamed, not copied, when it is on the studies' file system.
 *
 * <p>Crash-safe: files are written (or a handed-over file renamed) to a hidden temporary file,
 * synced and renamed before the index names them; index changes go to a synced journal and a
 * background snapshot rewrites {@code datastore_v2.json} (at most once per {@link
 * Options#snapshotDelay} while changed, and at {@link #close}). A kill at any point leaves a
 * readable index naming only complete files. Thread-safe; one instance per folder (an exclusive
 * lock on {@code <studies>/.lock}).
 *
 * <p>Re-adding an existing image id replaces its file and resets its info; its labels (entries and
 * info) are kept, since their files still exist. Upstream recreates them with fresh info.
 *
 * <p>Labels keep their history ({@link VersionedLabels}) in the hidden folder {@code
 * <studies>/.monailabel-history/}: a numbered version per save and removal, with every saved file
 * (see {@link LabelHistory}). The history is created with the first save; MONAI Label, which never
 * looks there, can still serve the folder.
 *
 * <pre>{@code
 * try (LocalDatastore datastore = LocalDatastore.open(Path.of("studies"))) {
 *     datastore.saveLabel("spleen_10", Datastore.FINAL, upload, "spleen_10.nii.gz", Map.of());
 * }
 * }</pre>
 */
public final class LocalDatastore implements Datastore, VersionedLabels {
    private static final Logger logger = LoggerFactory.getLogger(LocalDatastore.class);

    /**
     * How a datastore is opened.
     *
     * @param readOnly no file is written (no lock, journal, snapshot or reconcile on disk); changes
     *     fail
     * @param watch notice files copied into the folder while running
     * @param snapshotDelay how often, at most, {@code datastore_v2.json} is rewritten while changed
     * @param watchDebounce delay between a folder event and the reconcile it triggers
     * @param rescanInterval period of the fallback rescan when watching
     * @param contentCheck images and labels given to {@link #addImage} and {@link #saveLabel} are
     *     checked with {@link ContentCheck} (off only for callers whose files are known to be good,
     *     or are not images)
     */
    public record Options(
            boolean readOnly,
            boolean watch,
            Duration snapshotDelay,
            Duration watchDebounce,
            Duration rescanInterval,
            boolean contentCheck) {
        public Options {
            requirePositive(snapshotDelay, "snapshotDelay");
            requirePositive(watchDebounce, "watchDebounce");
            requirePositive(rescanInterval, "rescanInterval");
        }

        private static void requirePositive(Duration duration, String name) {
            if (Objects.requireNonNull(duration, name).toMillis() <= 0) {
                throw new IllegalArgumentException(
                        name + " must be at least 1 ms, got " + duration);
            }
        }

        /**
         * Writable, watching, snapshot at most every second, 0.5 s debounce, rescan every 10 s,
         * content checked.
         */
        public static Options defaults() {
            return new Options(
                    false,
                    true,
                    Duration.ofSeconds(1),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(10),
                    true);
        }

        /** A copy with {@code readOnly} set. */
        public Options withReadOnly(boolean value) {
            return new Options(
                    value, watch, snapshotDelay, watchDebounce, rescanInterval, contentCheck);
        }

        /** A copy with {@code watch} set. */
        public Options withWatch(boolean value) {
            return new Options(
                    readOnly, value, snapshotDelay, watchDebounce, rescanInterval, contentCheck);
        }

        /** A copy with another snapshot delay. */
        public Options withSnapshotDelay(Duration value) {
            return new Options(readOnly, watch, value, watchDebounce, rescanInterval, contentCheck);
        }

        /** A copy with another rescan interval. */
        public Options withRescanInterval(Duration value) {
            return new Options(readOnly, watch, snapshotDelay, watchDebounce, value, contentCheck);
        }

        /** A copy with {@code contentCheck} set. */
        public Options withContentCheck(boolean value) {
            return new Options(
                    readOnly, watch, snapshotDelay, watchDebounce, rescanInterval, value);
        }
    }

    private final Path studies;
    private final Options options;
    private final FolderLock folderLock;
    private final PersistentIndex store;
    private final Path imagesDir;
    private final Path labelsDir;
    private final Reconciler reconciler;
    private final OperationLocks locks = new OperationLocks();
    private final FileOperations files;
    private final LabelHistory history;
    private final ScheduledThreadPoolExecutor background;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Optional<FolderWatcher> watcher = Optional.empty();

    private LocalDatastore(
            Path studies,
            Options options,
            FolderLock folderLock,
            PersistentIndex store,
            LabelHistory history) {
        this.studies = studies;
        this.history = history;
        this.options = options;
        this.folderLock = folderLock;
        this.store = store;
        DatastoreIndex index = store.index();
        this.imagesDir = studies.resolve(index.headerString("images_dir")).normalize();
        this.labelsDir = studies.resolve(index.headerString("labels_dir")).normalize();
        this.reconciler = new Reconciler(store, imagesDir, labelsDir);
        this.files =
                new FileOperations(
                        store,
                        locks,
                        studies,
                        imagesDir,
                        labelsDir,
                        options.contentCheck(),
                        history);
        this.background =
                new ScheduledThreadPoolExecutor(
                        1,
                        runnable -> {
                            Thread thread = new Thread(runnable, "datastore-background");
                            thread.setDaemon(true);
                            return thread;
                        });
        background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Opens (or creates) the datastore of a studies folder with the {@link Options#defaults()}. */
    public static LocalDatastore open(Path studies) throws IOException {
        return open(studies, Options.defaults());
    }

    /**
     * Opens (or creates) the datastore of a studies folder: loads the index, replays the journal of
     * an earlier crash and reconciles with the files.
     *
     * @throws ConflictException if another datastore (in this or another process) has the folder
     *     open
     */
    public static LocalDatastore open(Path studies, Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        Path dir = Objects.requireNonNull(studies, "studies").toAbsolutePath().normalize();
        if (!options.readOnly()) {
            Files.createDirectories(dir);
        } else if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        FolderLock lock = options.readOnly() ? FolderLock.none() : FolderLock.acquire(dir);
        LocalDatastore datastore;
        try {
            datastore =
                    new LocalDatastore(
                            dir,
                            options,
                            lock,
                            PersistentIndex.open(dir, options.readOnly()),
                            LabelHistory.open(dir, options.readOnly()));
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        try {
            datastore.start();
        } catch (IOException | RuntimeException e) {
            datastore.close();
            throw e;
        }
        return datastore;
    }

    private void start() throws IOException {
        long begin = System.nanoTime();
        if (!options.readOnly()) {
            DurableFiles.createDirectory(labelsDir.resolve(FINAL));
            DurableFiles.createDirectory(labelsDir.resolve(ORIGINAL));
            DurableFiles.createDirectory(imagesDir);
            files.deleteReplacedFiles();
            DurableFiles.deleteTemporaryFiles(studies);
            DurableFiles.deleteTemporaryFiles(imagesDir);
            for (String tag : reconciler.list().labels().keySet()) {
                DurableFiles.deleteTemporaryFiles(labelsDir.resolve(tag));
            }
        }
        if (options.watch()) { // before the first reconcile, so that no file copied meanwhile is
            // missed
            watcher =
                    Optional.of(
                            FolderWatcher.start(
                                    imagesDir,
                                    labelsDir,
                                    this::reconcileQuietly,
                                    files::mayChangeIndex,
                                    background,
                                    options.watchDebounce(),
                                    options.rescanInterval()));
        }
        reconcile();
        if (!options.readOnly()) {
            files.recoverHistory();
        }
        store.snapshot();
        long period = options.snapshotDelay().toMillis();
        background.scheduleWithFixedDelay(
                this::snapshotQuietly, period, period, TimeUnit.MILLISECONDS);
        logger.info(
                "Opened datastore {} with {} images in {} ms{}",
                studies,
                store.index().size(),
                (System.nanoTime() - begin) / 1_000_000,
                options.readOnly() ? " (read-only)" : "");
    }

    /** Re-reads the folders now and indexes what changed; returns the number of objects changed. */
    public int reconcile() throws IOException {
        try (OperationLocks.Guard guard = locks.exclusive()) {
            return reconciler.reconcile();
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (IOException | RuntimeException e) {
            logger.warn("Reconciling the datastore with its folder failed: {}", e.toString(), e);
        }
    }

    private void snapshotQuietly() {
        try {
            store.snapshot();
        } catch (IOException | RuntimeException e) {
            logger.warn(
                    "Writing {} failed (changes are safe in the journal): {}",
                    PersistentIndex.FILE_NAME,
                    e.toString(),
                    e);
        }
    }

    /** The studies folder. */
    public Path studies() {
        return studies;
    }

    /**
     * The folder of the label history ({@code <studies>/.monailabel-history}; made when needed).
     */
    public Path historyDir() {
        return studies.resolve(LabelHistory.DIR);
    }

    /** The folder of the labels ({@code <labels_dir>}, holding one folder per tag). */
    public Path labelsDir() {
        return labelsDir;
    }

    @Override
    public String name() {
        return store.index().headerString("name");
    }

    @Override
    public String description() {
        return store.index().headerString("description");
    }

    @Override
    public List<String> imageIds() {
        return Collections.unmodifiableList(store.index().ids());
    }

    @Override
    public boolean hasImage(String imageId) {
        return Ids.isValid(imageId) && store.index().get(imageId).isPresent();
    }

    @Override
    public List<String> labeledImageIds(String tag) {
        Ids.checkTag(tag);
        List<String> ids = new ArrayList<>();
        store.index()
                .entries()
                .forEach(
                        entry -> {
                            if (entry.hasLabel(tag)) {
                                ids.add(entry.id());
                            }
                        });
        return Collections.unmodifiableList(ids);
    }

    @Override
    public List<String> unlabeledImageIds(String tag) {
        Ids.checkTag(tag);
        List<String> ids = new ArrayList<>();
        store.index()
                .entries()
                .forEach(
                        entry -> {
                            if (!entry.hasLabel(tag)) {
                                ids.add(entry.id());
                            }
                        });
        return Collections.unmodifiableList(ids);
    }

    @Override
    public Set<String> labelTags(String imageId) {
        return entry(imageId).labelTags();
    }

    @Override
    public String imageFileName(String imageId) {
        return entry(imageId).imageFileName();
    }

    @Override
    public Path imageFile(String imageId) {
        return imagesDir.resolve(entry(imageId).imageFileName());
    }

    @Override
    public Optional<Path> labelFile(String imageId, String tag) {
        Ids.checkTag(tag);
        return entry(imageId)
                .labelFileName(tag)
                .map(name -> labelsDir.resolve(tag).resolve(name))
                .filter(Files::isRegularFile);
    }

    /**
     * Reads the hand-out times from the index entries (memoized per entry): no per-image copy of
     * the info.
     */
    @Override
    public Map<String, Long> lastHandouts(String strategy) {
        Map<String, Long> result = new HashMap<>();
        for (ObjectEntry entry : store.index().entries()) {
            Long ts = entry.handouts().get(strategy);
            if (ts != null) {
                result.put(entry.id(), ts);
            }
        }
        return result;
    }

    @Override
    public Map<String, Object> imageInfo(String imageId) {
        return JsonTrees.toJavaMap(entry(imageId).imageInfo());
    }

    @Override
    public Optional<Map<String, Object>> labelInfo(String imageId, String tag) {
        Ids.checkTag(tag);
        return entry(imageId).labelInfo(tag).map(JsonTrees::toJavaMap);
    }

    @Override
    public void updateImageInfo(String imageId, Map<String, Object> info) throws IOException {
        checkWritable();
        JsonObject changes = JsonTrees.toJsonObject(Objects.requireNonNull(info, "info"));
        files.change(imageId, entry -> entry.withImageInfo(merge(entry.imageInfo(), changes)));
    }

    @Override
    public void updateLabelInfo(String imageId, String tag, Map<String, Object> info)
            throws IOException {
        checkWritable();
        Ids.checkTag(tag);
        JsonObject changes = JsonTrees.toJsonObject(Objects.requireNonNull(info, "info"));
        files.change(
                imageId,
                entry ->
                        entry.withLabelInfo(
                                tag,
                                merge(
                                        entry.labelInfo(tag)
                                                .orElseThrow(
                                                        () ->
                                                                new NotFoundException(
                                                                        "Label '"
                                                                                + imageId
                                                                                + "' with tag '"
                                                                                + tag
                                                                                + "' not found")),
                                        changes)));
    }

    @Override
    public void recordSampleHandout(String imageId, String strategy, String clientId)
            throws IOException {
        checkWritable();
        Objects.requireNonNull(strategy, "strategy");
        JsonObject record = new JsonObject();
        record.addProperty("ts", Instant.now().getEpochSecond());
        record.add("client_id", JsonTrees.toJson(clientId));
        Ids.checkImageId(imageId);
        // advisory: journaled without a sync of its own (a lost hand-out time only makes an image
        // look not handed out), so next-sample does not wait for the disk
        store.updateAdvisory(
                imageId,
                entry -> {
                    JsonObject info = entry.imageInfo().deepCopy();
                    JsonElement strategies = info.get("strategy");
                    JsonObject merged =
                            strategies != null && strategies.isJsonObject()
                                    ? strategies.getAsJsonObject()
                                    : new JsonObject();
                    merged.add(strategy, record);
                    info.add("strategy", merged);
                    return entry.withImageInfo(info);
                });
    }

    private static JsonObject merge(JsonObject info, JsonObject changes) {
        JsonObject merged = info.deepCopy();
        changes.entrySet().forEach(change -> merged.add(change.getKey(), change.getValue()));
        return merged;
    }

    @Override
    public String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return addImage(imageId, source, sourceName, info, Transfer.COPY);
    }

    /**
     * Renames a {@link Transfer#MOVE}d source into place when it is on the studies' file system.
     */
    @Override
    public String addImage(
            String imageId,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        checkWritable();
        return files.addImage(imageId, source, sourceName, info, transfer);
    }

    @Override
    public void removeImage(String imageId) throws IOException {
        removeImage(imageId, LabelEdit.server(""));
    }

    @Override
    public void removeImage(String imageId, LabelEdit edit) throws IOException {
        checkWritable();
        files.removeImage(imageId, Objects.requireNonNull(edit, "edit"));
    }

    @Override
    public String saveLabel(
            String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return saveLabel(imageId, tag, source, sourceName, info, Transfer.COPY);
    }

    /**
     * Renames a {@link Transfer#MOVE}d source into place when it is on the studies' file system.
     */
    @Override
    public String saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        return saveLabel(
                        imageId,
                        tag,
                        source,
                        sourceName,
                        info,
                        transfer,
                        LabelEdit.server(LabelEdit.clientIdOf(info)))
                .imageId();
    }

    @Override
    public LabelVersion saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer,
            LabelEdit edit)
            throws IOException {
        checkWritable();
        Objects.requireNonNull(edit, "edit");
        return files.saveLabel(imageId, tag, source, sourceName, info, transfer, edit);
    }

    @Override
    public void removeLabel(String imageId, String tag) throws IOException {
        removeLabel(imageId, tag, LabelEdit.server(""));
    }

    @Override
    public Optional<LabelVersion> removeLabel(String imageId, String tag, LabelEdit edit)
            throws IOException {
        checkWritable();
        return files.removeLabel(imageId, tag, Objects.requireNonNull(edit, "edit"));
    }

    @Override
    public LabelVersion updateLabelInfo(
            String imageId, String tag, Map<String, Object> info, LabelEdit edit)
            throws IOException {
        checkWritable();
        JsonObject changes = JsonTrees.toJsonObject(Objects.requireNonNull(info, "info"));
        return files.updateLabelInfo(
                imageId, tag, current -> merge(current, changes), Objects.requireNonNull(edit));
    }

    @Override
    public List<LabelVersion> labelHistory(String imageId, String tag) throws IOException {
        return files.labelHistory(imageId, tag);
    }

    @Override
    public Optional<LabelVersion> currentLabel(String imageId, String tag) throws IOException {
        List<LabelVersion> versions = labelHistory(imageId, tag);
        return versions.isEmpty() || versions.get(versions.size() - 1).removed()
                ? Optional.empty()
                : Optional.of(versions.get(versions.size() - 1));
    }

    @Override
    public Path labelVersionFile(String imageId, String tag, int version) {
        return files.labelVersionFile(imageId, tag, version);
    }

    @Override
    public DatastoreStats stats() {
        int total = 0;
        int completed = 0;
        Map<String, Integer> tags = new TreeMap<>();
        for (ObjectEntry entry : store.index().entries()) {
            total++;
            completed += entry.hasLabel(FINAL) ? 1 : 0;
            entry.labelTags().forEach(tag -> tags.merge(tag, 1, Integer::sum));
        }
        return new DatastoreStats(total, completed, tags);
    }

    @Override
    public Map<String, Object> toJson() {
        return JsonTrees.toJavaMap(store.copy().toJson());
    }

    @Override
    public List<TrainingPair> trainingPairs(String tag) {
        Ids.checkTag(tag);
        List<TrainingPair> pairs = new ArrayList<>();
        for (ObjectEntry entry : store.index().entries()) {
            entry.labelFileName(tag)
                    .ifPresent(
                            name ->
                                    pairs.add(
                                            new TrainingPair(
                                                    entry.id(),
                                                    imagesDir.resolve(entry.imageFileName()),
                                                    labelsDir.resolve(tag).resolve(name),
                                                    JsonTrees.toJavaMap(
                                                            entry.labelInfo(tag).orElseThrow()))));
        }
        return Collections.unmodifiableList(pairs);
    }

    private ObjectEntry entry(String imageId) {
        Ids.checkImageId(imageId);
        return store.index().get(imageId).orElseThrow(() -> FileOperations.notFound(imageId));
    }

    private void checkWritable() {
        if (options.readOnly()) {
            throw new ConflictException("The datastore is read-only");
        }
        if (closed.get()) {
            throw new ConflictException("The datastore is closed");
        }
    }

    /** Stops the watcher, writes the final snapshot and releases the folder; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watcher.ifPresent(FolderWatcher::close);
        background.shutdown(); // no interrupts: an interrupted FileChannel closes itself
        try {
            if (!background.awaitTermination(10, TimeUnit.SECONDS)) {
                logger.warn("Datastore background work did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (OperationLocks.Guard guard = locks.exclusive()) {
            store.close();
        } catch (IOException e) {
            logger.error(
                    "Writing the final {} failed; the journal keeps the changes for the next start",
                    PersistentIndex.FILE_NAME,
                    e);
        } finally {
            try {
                history.close();
            } catch (IOException e) {
                logger.warn("Closing the label history failed: {}", e.toString());
            }
            folderLock.close();
        }
        logger.info("Closed datastore {}", studies);
    }
}
