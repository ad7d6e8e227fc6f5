package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.datastore.ContentCheck;
import org.monailabel.engine.datastore.Ids;
import org.monailabel.engine.datastore.LabelEdit;
import org.monailabel.engine.datastore.LabelVersion;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.datastore.Preparable;
import org.monailabel.engine.datastore.VersionedLabels;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.VolumeGrid;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.engine.io.nrrd.NrrdReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The series of a {@link SeriesSource} as a {@link Datastore}: each image series is an image whose
 * id is its {@code SeriesInstanceUID}. A series is converted once to a NIfTI volume ({@value #EXT},
 * RAS, on the series' exact grid) kept in a cache folder, which is a {@link LocalDatastore} of its
 * own: it also keeps the series' labels ({@code labels/<tag>/<SeriesInstanceUID>.nii.gz}), their
 * info and the image info, with that datastore's atomic, journaled writes.
 *
 * <p>A series is converted when first needed ({@link #imageFile}, a label save, an info update), by
 * the caller's thread; concurrent callers wait for that one conversion. With {@link
 * Options#convertAll} every series not yet converted is converted in the background after each
 * listing, one at a time, so that a client rarely waits. A converted series whose source changed
 * (its {@link SeriesRef#fingerprint} differs from the one recorded with the volume) is converted
 * again when next needed; its labels are kept, and a warning is logged since they may no longer
 * fit. A series that cannot be converted (gaps, mixed sizes, an unsupported transfer syntax...) is
 * logged once with the reason and left out of {@link #imageIds()} until its files change (the
 * request that tried it gets the reason as an {@link InvalidImageException}; later ones a not
 * found; {@link #failures()} lists them).
 *
 * <p>A source that holds labels ({@link SeriesSource#readLabel}, a PACS's SEGs) gives a series its
 * final label when the series is converted and has none here. A source that {@linkplain
 * SeriesSource#storesLabels stores labels} gets every final label saved here, in the background:
 * the label info's {@value #STORE_KEY} says {@code pending}, {@code stored} or {@code failed} (with
 * the error), and what is not stored is tried again every {@link Options#retryInterval} until it
 * is, also after a restart. A source unreachable at open (a {@link BusyException}) leaves the
 * series converted before served as they were, and is listed again every retry interval; a series
 * not converted then needs the source (503 with {@code Retry-After}). With {@link
 * Options#maxCacheBytes}, the least recently used series without labels leave the cache when it
 * grows past the bound (their hand-out records go with them).
 *
 * <p>Images come from the source only: {@link #addImage} and {@link #removeImage} are refused with
 * a {@link ConflictException}. Series that leave the source leave the listing; their labels stay in
 * the cache folder and return with the series. Thread-safe.
 */
public final class SeriesDatastore implements Datastore, Preparable, VersionedLabels {
    private static final Logger logger = LoggerFactory.getLogger(SeriesDatastore.class);

    /** The extension of converted volumes (and of the name {@link #imageFileName} gives). */
    public static final String EXT = ".nii.gz";

    /** The image info key holding what the source says of a series. */
    public static final String INFO_KEY = "dicom";

    private static final String FINGERPRINT = "fingerprint";
    private static final String INCOMING = ".incoming";

    /** The label info key recording whether a final label was stored back in the source. */
    public static final String STORE_KEY = "dicom_store";

    /**
     * How the datastore follows its source.
     *
     * @param rescanInterval how often the source is listed again; zero lists it only at open and on
     *     {@link #refresh()} (but an unreachable source is tried again every {@code retryInterval})
     * @param convertAll convert every series in the background after each listing
     * @param maxCacheBytes the converted volumes kept at most (bytes on disk), 0 for no bound: past
     *     it, the least recently used series without labels are dropped from the cache (converted
     *     again when next needed)
     * @param retryInterval how often labels not yet stored in the source, and a source unreachable
     *     at open, are tried again
     */
    public record Options(
            Duration rescanInterval,
            boolean convertAll,
            long maxCacheBytes,
            Duration retryInterval) {
        public Options {
            Objects.requireNonNull(rescanInterval, "rescanInterval");
            Objects.requireNonNull(retryInterval, "retryInterval");
            if (rescanInterval.isNegative()) {
                throw new IllegalArgumentException("rescanInterval must not be negative");
            }
            if (retryInterval.isNegative() || retryInterval.isZero()) {
                throw new IllegalArgumentException("retryInterval must be positive");
            }
            if (maxCacheBytes < 0) {
                throw new IllegalArgumentException("maxCacheBytes must not be negative");
            }
        }

        /** No cache bound; retries every 30 seconds. */
        public Options(Duration rescanInterval, boolean convertAll) {
            this(rescanInterval, convertAll, 0, Duration.ofSeconds(30));
        }
    }

    private record Failure(String fingerprint, String message) {}

    private final SeriesSource source;
    private final LocalDatastore cache;
    private final Path cacheDir;
    private final Options options;
    private volatile Map<String, SeriesRef> catalog = Map.of();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUse = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor background;
    private final ScheduledThreadPoolExecutor storer;
    private volatile boolean listed;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SeriesDatastore(
            SeriesSource source, LocalDatastore cache, Path cacheDir, Options options) {
        this.source = source;
        this.cache = cache;
        this.cacheDir = cacheDir;
        this.options = options;
        this.background =
                new ScheduledThreadPoolExecutor(
                        1,
                        runnable -> {
                            Thread thread = new Thread(runnable, "dicom-series");
                            thread.setDaemon(true);
                            return thread;
                        });
        background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.storer =
                new ScheduledThreadPoolExecutor(
                        1,
                        runnable -> {
                            Thread thread = new Thread(runnable, "dicom-store");
                            thread.setDaemon(true);
                            return thread;
                        });
        storer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Opens the datastore: opens (or creates) the cache folder's datastore and lists the source.
     * Takes ownership of the source (closed by {@link #close()}).
     */
    public static SeriesDatastore open(SeriesSource source, Path cacheDir, Options options)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        Path dir = Files.createDirectories(cacheDir).toAbsolutePath().normalize();
        deleteLeftovers(dir.resolve(INCOMING));
        LocalDatastore cache =
                LocalDatastore.open(
                        dir,
                        LocalDatastore.Options.defaults()
                                .withWatch(false)
                                .withContentCheck(false)); // the volumes are ours
        SeriesDatastore datastore = new SeriesDatastore(source, cache, dir, options);
        try {
            try {
                datastore.refresh();
            } catch (BusyException e) {
                datastore.serveCached(e);
            }
        } catch (IOException | RuntimeException e) {
            datastore.close();
            throw e;
        }
        long period = options.rescanInterval().toMillis();
        long retry = options.retryInterval().toMillis();
        if (period > 0) {
            datastore.background.scheduleWithFixedDelay(
                    datastore::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
        } else if (!datastore.listed) {
            datastore.background.schedule(
                    datastore::listUntilReachable, retry, TimeUnit.MILLISECONDS);
        }
        if (source.storesLabels()) {
            datastore.storer.scheduleWithFixedDelay(
                    datastore::storePending, 0, retry, TimeUnit.MILLISECONDS);
        }
        return datastore;
    }

    /** The source is unreachable at open: serves the series converted before, as they were. */
    private void serveCached(BusyException e) {
        Map<String, SeriesRef> cached = new LinkedHashMap<>();
        for (String id : cache.imageIds()) {
            Object dicom = cache.imageInfo(id).get(INFO_KEY);
            if (dicom instanceof Map<?, ?> m && m.get(FINGERPRINT) instanceof String fingerprint) {
                Map<String, Object> info = new LinkedHashMap<>();
                m.forEach((k, v) -> info.put(String.valueOf(k), v));
                info.remove(FINGERPRINT);
                info.values().removeIf(Objects::isNull);
                cached.put(id, new SeriesRef(id, fingerprint, info));
            }
        }
        catalog = Collections.unmodifiableMap(cached);
        logger.warn(
                "{} cannot be reached ({}): serving the {} series converted before; trying again"
                        + " every {} s",
                source.describe(),
                e.getMessage(),
                cached.size(),
                options.retryInterval().toSeconds());
    }

    private void listUntilReachable() {
        if (closed.get()) {
            return;
        }
        try {
            refresh();
        } catch (IOException | RuntimeException e) {
            logger.debug("{} still cannot be listed: {}", source.describe(), e.toString());
            background.schedule(
                    this::listUntilReachable,
                    options.retryInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private static void deleteLeftovers(Path incoming) throws IOException {
        if (Files.isDirectory(incoming)) {
            try (var files = Files.list(incoming)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * Lists the source again; series that appeared are served, those gone are dropped from the
     * listing. Returns the number of series.
     */
    public int refresh() throws IOException {
        Map<String, SeriesRef> next = new LinkedHashMap<>();
        for (SeriesRef ref : source.list()) {
            next.put(ref.seriesUid(), ref);
        }
        Map<String, SeriesRef> previous = catalog;
        catalog = Collections.unmodifiableMap(next);
        if (!listed) {
            listed = true;
            if (!previous.isEmpty()) {
                logger.info("{} can be reached again", source.describe());
            }
        }
        failures.entrySet()
                .removeIf(
                        f ->
                                !next.containsKey(f.getKey())
                                        || !next.get(f.getKey())
                                                .fingerprint()
                                                .equals(f.getValue().fingerprint()));
        if (!next.keySet().equals(previous.keySet())) {
            logger.info("{} DICOM series in {}", next.size(), source.describe());
        }
        if (options.convertAll()) {
            for (SeriesRef ref : next.values()) {
                if (!isCurrent(ref) && !failed(ref)) {
                    background.execute(() -> convertQuietly(ref.seriesUid()));
                }
            }
        }
        return next.size();
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (IOException | RuntimeException e) {
            logger.warn(
                    "Listing the DICOM series of {} failed: {}", source.describe(), e.toString());
        }
    }

    private void convertQuietly(String id) {
        if (closed.get()) {
            return;
        }
        try {
            ensure(id);
        } catch (NotFoundException e) {
            // gone from the source meanwhile
        } catch (IOException | RuntimeException e) {
            // logged by convert (the reason is kept for the callers that ask)
        }
    }

    /** Where the series come from. */
    public SeriesSource source() {
        return source;
    }

    /** The series that cannot be served, with the reason: empty when all convert. */
    public Map<String, String> failures() {
        Map<String, String> result = new TreeMap<>();
        failures.forEach((id, f) -> result.put(id, f.message()));
        return result;
    }

    private SeriesRef ref(String imageId) {
        Ids.checkImageId(imageId);
        SeriesRef ref = catalog.get(imageId);
        if (ref == null || failed(ref)) {
            throw new NotFoundException("Image '" + imageId + "' not found");
        }
        return ref;
    }

    private boolean failed(SeriesRef ref) {
        Failure f = failures.get(ref.seriesUid());
        return f != null && f.fingerprint().equals(ref.fingerprint());
    }

    private boolean isCurrent(SeriesRef ref) {
        if (!cache.hasImage(ref.seriesUid())) {
            return false;
        }
        Object dicom = cache.imageInfo(ref.seriesUid()).get(INFO_KEY);
        return dicom instanceof Map<?, ?> m && ref.fingerprint().equals(m.get(FINGERPRINT));
    }

    /** Converts the series unless its volume is current; one conversion per series at a time. */
    private void ensure(String id) throws IOException {
        SeriesRef ref = ref(id);
        lastUse.put(id, System.currentTimeMillis()); // its volume is used: listings do not count
        if (isCurrent(ref)) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(id, mine);
        if (running != null) {
            await(running);
            return;
        }
        try {
            if (!isCurrent(ref)) {
                convert(ref);
            }
            mine.complete(null);
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(id, mine);
        }
    }

    private static void await(CompletableFuture<Void> running) throws IOException {
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted waiting for a DICOM series conversion", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidImageException invalid) {
                throw new InvalidImageException(invalid.getMessage(), invalid);
            }
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    private void convert(SeriesRef ref) throws IOException {
        String id = ref.seriesUid();
        long begin = System.nanoTime();
        Volume volume;
        try {
            volume = source.read(ref);
        } catch (InvalidImageException e) {
            failures.put(id, new Failure(ref.fingerprint(), e.getMessage()));
            logger.warn(
                    "DICOM series {} of {} cannot be served: {}",
                    id,
                    source.describe(),
                    e.getMessage());
            throw e;
        }
        boolean replacing = cache.hasImage(id);
        Path incoming = Files.createTempFile(incomingDir(), id + "-", EXT);
        try {
            ImageIo.write(volume, incoming, WriteOptions.defaults());
            Map<String, Object> dicom = new LinkedHashMap<>(ref.info());
            volume.metadata()
                    .forEach(
                            (key, value) -> {
                                if (key.startsWith("dicom.") && value != null) {
                                    dicom.putIfAbsent(key.substring("dicom.".length()), value);
                                }
                            });
            dicom.put(FINGERPRINT, ref.fingerprint());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put(INFO_KEY, dicom);
            cache.addImage(id, incoming, id + EXT, info, Transfer.MOVE);
        } finally {
            Files.deleteIfExists(incoming);
        }
        if (replacing && !cache.labelTags(id).isEmpty()) {
            logger.warn(
                    "DICOM series {} changed in {}: converted again; its labels {} were kept and"
                            + " may no longer fit it",
                    id,
                    source.describe(),
                    cache.labelTags(id));
        }
        logger.info(
                "Converted DICOM series {} ({}) in {} ms",
                id,
                dimensions(volume),
                (System.nanoTime() - begin) / 1_000_000);
        if (cache.labelFile(id, FINAL).isEmpty()) {
            importLabel(ref, volume);
        }
        evict(id);
    }

    /** The source's own label of a series (a SEG in the PACS) becomes its final label. */
    private void importLabel(SeriesRef ref, Volume volume) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(incomingDir(), "label-");
            Optional<SeriesSource.SourceLabel> label = source.readLabel(ref, volume, dir);
            if (label.isPresent()) {
                Map<String, Object> info = new LinkedHashMap<>(label.get().info());
                info.put(STORE_KEY, Map.of("status", "stored", "from_source", true));
                Path file = label.get().file();
                cache.saveLabel(
                        ref.seriesUid(),
                        FINAL,
                        file,
                        file.getFileName().toString(),
                        info,
                        Transfer.MOVE);
                logger.info(
                        "DICOM series {}: its label in {} is its final label",
                        ref.seriesUid(),
                        source.describe());
            }
        } catch (IOException | RuntimeException e) {
            logger.warn(
                    "The label of DICOM series {} in {} cannot be read: {}",
                    ref.seriesUid(),
                    source.describe(),
                    e.getMessage());
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    /** Deletes a temporary folder and what it holds; a failure is logged, not thrown. */
    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            logger.warn("Cannot delete the temporary folder {}: {}", dir, e.toString());
        }
    }

    /**
     * Drops the least recently used converted series without labels until the cache holds at most
     * {@link Options#maxCacheBytes}; never {@code keep} nor a series being converted.
     */
    private synchronized void evict(String keep) {
        long max = options.maxCacheBytes();
        if (max <= 0) {
            return;
        }
        record Entry(String id, long bytes, long used) {}
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        for (String id : cache.imageIds()) {
            try {
                Path file = cache.imageFile(id);
                long bytes = Files.size(file);
                total += bytes;
                long used = lastUse.getOrDefault(id, Files.getLastModifiedTime(file).toMillis());
                entries.add(new Entry(id, bytes, used));
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        entries.sort(java.util.Comparator.comparingLong(Entry::used));
        for (Entry e : entries) {
            if (total <= max) {
                break;
            }
            if (e.id().equals(keep)
                    || inFlight.containsKey(e.id())
                    || !cache.labelTags(e.id()).isEmpty()) {
                continue;
            }
            try {
                cache.removeImage(e.id());
                total -= e.bytes();
                logger.info(
                        "Dropped DICOM series {} from the cache ({} MB; the cache holds at most"
                                + " {} MB)",
                        e.id(),
                        e.bytes() >> 20,
                        max >> 20);
            } catch (IOException | RuntimeException ex) {
                logger.warn(
                        "Could not drop DICOM series {} from the cache: {}", e.id(), ex.toString());
            }
        }
    }

    /** Whether a series is converted and current, so that serving it reads no source. */
    @Override
    public boolean isPrepared(String imageId) {
        SeriesRef ref = catalog.get(imageId);
        return ref != null && isCurrent(ref);
    }

    /** Converts a series in the background unless it is current (a sample handed out next). */
    @Override
    public void prepare(String imageId) {
        SeriesRef ref = catalog.get(imageId);
        if (ref != null && !failed(ref) && !isCurrent(ref) && !closed.get()) {
            background.execute(() -> convertQuietly(imageId));
        }
    }

    // ---- labels stored back in the source ----

    /** Final labels saved here and not yet stored in the source (ids), in no particular order. */
    public List<String> pendingStores() {
        List<String> pending = new ArrayList<>();
        for (String id : cache.labeledImageIds(FINAL)) {
            if (storeState(id).map(s -> !"stored".equals(s.get("status"))).orElse(false)) {
                pending.add(id);
            }
        }
        return pending;
    }

    private Optional<Map<?, ?>> storeState(String id) {
        return cache.labelInfo(id, FINAL)
                .map(info -> info.get(STORE_KEY))
                .filter(Map.class::isInstance)
                .map(m -> (Map<?, ?>) m);
    }

    private void markPending(String id) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("status", "pending");
        state.put("token", java.util.UUID.randomUUID().toString());
        state.put("saved", System.currentTimeMillis() / 1000);
        cache.updateLabelInfo(id, FINAL, Map.of(STORE_KEY, state));
    }

    private void storePending() {
        for (String id : pendingStores()) {
            if (closed.get()) {
                return;
            }
            store(id);
        }
    }

    /** Stores the final label of a series in the source; records the outcome in its info. */
    private void store(String id) { // on the one storer thread: one store at a time
        Optional<Map<?, ?>> state = storeState(id);
        SeriesRef ref = catalog.get(id);
        if (state.isEmpty() || "stored".equals(state.get().get("status")) || ref == null) {
            return;
        }
        Object token = state.get().get("token");
        Map<String, Object> outcome = new LinkedHashMap<>();
        try {
            Path label = cache.labelFile(id, FINAL).orElseThrow();
            Map<String, Object> labelInfo = cache.labelInfo(id, FINAL).orElse(Map.of());
            Map<String, Object> stored =
                    source.storeLabel(ref, cache.imageInfo(id), label, labelInfo);
            outcome.put("status", "stored");
            outcome.put("stored", System.currentTimeMillis() / 1000);
            outcome.putAll(stored);
            logger.info("Final label of DICOM series {} stored in {}", id, source.describe());
        } catch (IOException | RuntimeException e) {
            String error = String.valueOf(e.getMessage());
            outcome.put("status", "failed");
            outcome.put("error", error);
            outcome.put("attempted", System.currentTimeMillis() / 1000);
            outcome.put("token", token);
            Object saved = state.get().get("saved");
            if (saved != null) {
                outcome.put("saved", saved);
            }
            if (!error.equals(state.get().get("error"))) { // once per reason, not every retry
                logger.warn(
                        "Final label of DICOM series {} not stored in {} (tried again every {}"
                                + " s): {}",
                        id,
                        source.describe(),
                        options.retryInterval().toSeconds(),
                        error);
            }
        }
        try {
            Optional<Map<?, ?>> now = storeState(id);
            if (now.isPresent() && Objects.equals(now.get().get("token"), token)) {
                cache.updateLabelInfo(id, FINAL, Map.of(STORE_KEY, outcome));
            } // else saved again meanwhile: that save is stored next
        } catch (IOException | RuntimeException e) {
            logger.warn("Could not record the store of DICOM series {}: {}", id, e.toString());
        }
    }

    /** Where volumes are written before they are moved into the cache (emptied at open). */
    private Path incomingDir() throws IOException {
        return Files.createDirectories(cacheDir.resolve(INCOMING));
    }

    private static String dimensions(Volume v) {
        int[] d = v.shape();
        return d[0] + "x" + d[1] + "x" + d[2];
    }

    // ---- Datastore ----

    @Override
    public String name() {
        return "DICOM series in " + source.describe();
    }

    @Override
    public String description() {
        return "Each image is a DICOM series (id: SeriesInstanceUID), converted to NIfTI";
    }

    @Override
    public List<String> imageIds() {
        List<String> ids = new ArrayList<>();
        for (SeriesRef ref : catalog.values()) {
            if (!failed(ref)) {
                ids.add(ref.seriesUid());
            }
        }
        return Collections.unmodifiableList(ids);
    }

    @Override
    public boolean hasImage(String imageId) {
        SeriesRef ref = catalog.get(imageId);
        return ref != null && !failed(ref);
    }

    @Override
    public List<String> labeledImageIds(String tag) {
        Set<String> labeled = labeled(tag);
        return imageIds().stream().filter(labeled::contains).toList();
    }

    @Override
    public List<String> unlabeledImageIds(String tag) {
        Set<String> labeled = labeled(tag);
        return imageIds().stream().filter(id -> !labeled.contains(id)).toList();
    }

    /** Series with a label of this tag here, or (final) a label in the source not yet read. */
    private Set<String> labeled(String tag) {
        Set<String> labeled = new LinkedHashSet<>(cache.labeledImageIds(tag));
        if (FINAL.equals(tag)) {
            for (SeriesRef ref : catalog.values()) {
                if (ref.info().get(SeriesSource.LABELS_KEY) instanceof List<?> l && !l.isEmpty()) {
                    labeled.add(ref.seriesUid());
                }
            }
        }
        return labeled;
    }

    @Override
    public Set<String> labelTags(String imageId) {
        SeriesRef ref = ref(imageId);
        Set<String> tags =
                new LinkedHashSet<>(cache.hasImage(imageId) ? cache.labelTags(imageId) : Set.of());
        if (ref.info().get(SeriesSource.LABELS_KEY) instanceof List<?> l && !l.isEmpty()) {
            tags.add(FINAL);
        }
        return Collections.unmodifiableSet(tags);
    }

    /** Whether the source holds a label of the series that is not in the cache yet. */
    private boolean labelInSourceOnly(SeriesRef ref, String tag) {
        return FINAL.equals(tag)
                && ref.info().get(SeriesSource.LABELS_KEY) instanceof List<?> l
                && !l.isEmpty()
                && !(cache.hasImage(ref.seriesUid())
                        && cache.labelTags(ref.seriesUid()).contains(FINAL));
    }

    @Override
    public String imageFileName(String imageId) {
        ref(imageId);
        return imageId + EXT;
    }

    @Override
    public Path imageFile(String imageId) throws IOException {
        ensure(imageId);
        return cache.imageFile(imageId);
    }

    @Override
    public Optional<Path> labelFile(String imageId, String tag) throws IOException {
        if (labelInSourceOnly(ref(imageId), tag)) {
            ensure(imageId);
        }
        return cache.hasImage(imageId) ? cache.labelFile(imageId, tag) : Optional.empty();
    }

    @Override
    public Map<String, Object> imageInfo(String imageId) {
        SeriesRef ref = ref(imageId);
        if (cache.hasImage(imageId)) {
            return cache.imageInfo(imageId);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", imageId + EXT);
        info.put(INFO_KEY, ref.info());
        return info;
    }

    @Override
    public void updateImageInfo(String imageId, Map<String, Object> info) throws IOException {
        ensure(imageId);
        cache.updateImageInfo(imageId, info);
    }

    @Override
    public Optional<Map<String, Object>> labelInfo(String imageId, String tag) {
        SeriesRef ref = ref(imageId);
        if (labelInSourceOnly(ref, tag)) {
            return Optional.of(
                    Map.of(SeriesSource.LABELS_KEY, ref.info().get(SeriesSource.LABELS_KEY)));
        }
        return cache.hasImage(imageId) ? cache.labelInfo(imageId, tag) : Optional.empty();
    }

    @Override
    public void updateLabelInfo(String imageId, String tag, Map<String, Object> info)
            throws IOException {
        ref(imageId);
        if (!cache.hasImage(imageId)) {
            throw new NotFoundException("Label '" + imageId + "' with tag '" + tag + "' not found");
        }
        cache.updateLabelInfo(imageId, tag, info);
    }

    @Override
    public String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        throw readOnlyImages();
    }

    @Override
    public void removeImage(String imageId) throws IOException {
        ref(imageId);
        throw readOnlyImages();
    }

    private void checkOnGrid(String imageId, Path label, String name) throws IOException {
        VolumeGrid series = DicomLabels.referencedSeries(imageId, cache.imageInfo(imageId)).grid();
        Volume volume;
        // by the client's name (an upload's file has none of its own), from a stream
        try (var in = Files.newInputStream(label)) {
            volume =
                    name.toLowerCase(java.util.Locale.ROOT).endsWith(".nrrd")
                            ? new NrrdReader(ReadOptions.defaults()).read(in, Files.size(label))
                            : new NiftiReader(ReadOptions.defaults()).read(in, Files.size(label));
        }
        VolumeGrid given = VolumeGrid.of(volume);
        if (!series.matches(given)) {
            throw new InvalidInputException(
                    "The label of DICOM series '"
                            + imageId
                            + "' is not on the series' grid ("
                            + given
                            + " against "
                            + series
                            + "), so it cannot be stored as a DICOM SEG");
        }
    }

    private ConflictException readOnlyImages() {
        return new ConflictException(
                "Images here are the DICOM series of "
                        + source.describe()
                        + ": add or remove DICOM files there instead");
    }

    @Override
    public String saveLabel(
            String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return saveLabel(imageId, tag, source, sourceName, info, Transfer.COPY);
    }

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
        ensure(imageId);
        ContentCheck.check(source, sourceName, "Label"); // the cache trusts only its own volumes
        if (FINAL.equals(tag) && this.source.storesLabels()) {
            checkOnGrid(imageId, source, sourceName); // else it could never be stored as a SEG
        }
        LabelVersion saved =
                cache.saveLabel(imageId, tag, source, sourceName, info, transfer, edit);
        if (FINAL.equals(tag) && this.source.storesLabels()) {
            markPending(imageId);
            if (!closed.get()) {
                storer.execute(() -> store(imageId));
            }
        }
        return saved;
    }

    @Override
    public void removeLabel(String imageId, String tag) throws IOException {
        removeLabel(imageId, tag, LabelEdit.server(""));
    }

    @Override
    public Optional<LabelVersion> removeLabel(String imageId, String tag, LabelEdit edit)
            throws IOException {
        ref(imageId);
        if (!cache.hasImage(imageId)) {
            throw new NotFoundException("Label '" + imageId + "' with tag '" + tag + "' not found");
        }
        return cache.removeLabel(imageId, tag, edit);
    }

    @Override
    public void removeImage(String imageId, LabelEdit edit) throws IOException {
        removeImage(imageId);
    }

    @Override
    public LabelVersion updateLabelInfo(
            String imageId, String tag, Map<String, Object> info, LabelEdit edit)
            throws IOException {
        ref(imageId);
        if (!cache.hasImage(imageId)) {
            throw new NotFoundException("Label '" + imageId + "' with tag '" + tag + "' not found");
        }
        return cache.updateLabelInfo(imageId, tag, info, edit);
    }

    /** Reads a label the source holds into the cache first, as {@link #labelFile} does. */
    @Override
    public List<LabelVersion> labelHistory(String imageId, String tag) throws IOException {
        labelFile(imageId, tag);
        return cache.hasImage(imageId) ? cache.labelHistory(imageId, tag) : List.of();
    }

    @Override
    public Optional<LabelVersion> currentLabel(String imageId, String tag) throws IOException {
        labelFile(imageId, tag);
        return cache.hasImage(imageId) ? cache.currentLabel(imageId, tag) : Optional.empty();
    }

    @Override
    public Path labelVersionFile(String imageId, String tag, int version) throws IOException {
        ref(imageId);
        if (!cache.hasImage(imageId)) {
            throw new NotFoundException(
                    "Label '" + imageId + "' with tag '" + tag + "' has no version " + version);
        }
        return cache.labelVersionFile(imageId, tag, version);
    }

    @Override
    public void recordSampleHandout(String imageId, String strategy, String clientId)
            throws IOException {
        ensure(imageId);
        cache.recordSampleHandout(imageId, strategy, clientId);
    }

    @Override
    public Map<String, Long> lastHandouts(String strategy) {
        Map<String, Long> all = cache.lastHandouts(strategy);
        Map<String, Long> result = new HashMap<>();
        for (String id : imageIds()) {
            Long ts = all.get(id);
            if (ts != null) {
                result.put(id, ts);
            }
        }
        return result;
    }

    @Override
    public DatastoreStats stats() {
        List<String> ids = imageIds();
        int completed = 0;
        Map<String, Integer> tags = new TreeMap<>();
        for (String id : ids) {
            Set<String> labelTags = labelTags(id); // also a label the source holds, not read yet
            completed += labelTags.contains(FINAL) ? 1 : 0;
            labelTags.forEach(tag -> tags.merge(tag, 1, Integer::sum));
        }
        return new DatastoreStats(ids.size(), completed, tags);
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>(cache.toJson());
        Object cached = json.get("objects");
        Map<?, ?> cachedObjects = cached instanceof Map<?, ?> m ? m : Map.of();
        Map<String, Object> objects = new LinkedHashMap<>();
        for (String id : imageIds()) {
            Object object = cachedObjects.get(id);
            if (object == null) {
                Map<String, Object> image = new LinkedHashMap<>();
                image.put("ext", EXT);
                image.put("info", imageInfo(id));
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("image", image);
                entry.put("labels", Map.of());
                object = entry;
            }
            objects.put(id, object);
        }
        json.put("name", name());
        json.put("description", description());
        json.put("objects", objects);
        return json;
    }

    @Override
    public List<TrainingPair> trainingPairs(String tag) throws IOException {
        Set<String> ids = new LinkedHashSet<>(imageIds());
        return cache.trainingPairs(tag).stream().filter(p -> ids.contains(p.imageId())).toList();
    }

    /** Stops the background work and closes the cache and the source; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // no interrupts (an interrupted FileChannel closes itself): a conversion under way ends,
        // the queued ones see the closed flag and return
        background.shutdown();
        storer.shutdown();
        try {
            if (!background.awaitTermination(60, TimeUnit.SECONDS)) {
                logger.warn("A DICOM series conversion did not stop in time");
            }
            if (!storer.awaitTermination(60, TimeUnit.SECONDS)) {
                logger.warn("Storing a label in {} did not stop in time", source.describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            cache.close();
        } finally {
            source.close();
        }
    }

    /** For tests and callers that must wait: the conversion of every listed series. */
    public void convertAll() throws IOException {
        for (String id : imageIds()) {
            try {
                ensure(id);
            } catch (InvalidImageException | NotFoundException e) {
                // recorded in failures() (by this call or by the background conversion)
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
