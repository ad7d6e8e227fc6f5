package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.dicomweb.DicomJson;
import org.monailabel.engine.dicomweb.DicomWebClient;
import org.monailabel.engine.dicomweb.StoreResult;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.DicomFile;
import org.monailabel.engine.io.dicom.DicomParser;
import org.monailabel.engine.io.dicom.DicomSegReader;
import org.monailabel.engine.io.dicom.DicomSegWriter;
import org.monailabel.engine.io.dicom.DicomSeries;
import org.monailabel.engine.io.dicom.ReferencedSeries;
import org.monailabel.engine.io.dicom.VolumeGrid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image series of a PACS, through DICOMweb ({@link DicomWebClient}). Thread-safe; closing it
 * closes the client.
 *
 * <p>{@link #list()} searches all series with QIDO-RS ({@code GET /series}, paged with {@code
 * limit} and {@code offset}) and keeps those whose Modality is not a non-image one (SEG, SR, PR,
 * KO, RTSTRUCT...). A series' fingerprint is the SHA-256 of its instances' SOPInstanceUIDs, sorted,
 * from a QIDO-RS search of its instances. That search is made again only when the series' {@code
 * NumberOfSeriesRelatedInstances} (0020,1209) differs from the last listing's (or the server does
 * not say), so that a rescan costs one search of all series when nothing changed. Limitations: an
 * instance rewritten under the same SOPInstanceUID, or an instance removed and another added
 * between two listings, leaves the count and so the fingerprint as they were, and is not noticed.
 *
 * <p>{@link #read} retrieves the series with WADO-RS (Explicit VR Little Endian when the PACS
 * transcodes) into a temporary folder, parses and assembles it ({@link DicomParser}, {@link
 * DicomSeries}) and deletes the folder, also when that fails.
 *
 * <p>{@link #segmentations} finds the DICOM SEG instances of an image series' study whose
 * ReferencedSeriesSequence (0008,1115) names the series (from their WADO-RS metadata; SEGs in other
 * studies are not searched); {@link #retrieveSegmentation} fetches one, and {@link #storeInstance}
 * stores an instance with STOW-RS.
 *
 * <p>A PACS that cannot be reached throws {@link
 * org.monailabel.engine.dicomweb.DicomWebUnavailableException} (a {@link
 * org.monailabel.api.error.BusyException}).
 */
public final class DicomWebSource implements SeriesSource {
    private static final Logger logger = LoggerFactory.getLogger(DicomWebSource.class);

    /** The QIDO-RS page size ({@code limit}). */
    static final int PAGE = 500;

    /** Series modalities never listed: {@link DicomFolderSource#NOT_IMAGES} and waveforms etc. */
    static final Set<String> NOT_IMAGES;

    static {
        Set<String> s = new HashSet<>(DicomFolderSource.NOT_IMAGES);
        s.addAll(List.of("AU", "ECG", "EPS", "HD", "RESP", "RTRECORD", "FID", "PLAN", "M3D"));
        NOT_IMAGES = Set.copyOf(s);
    }

    static final int SOP_INSTANCE_UID = 0x00080018;
    static final int STUDY_DATE = 0x00080020;
    static final int CONTENT_DATE = 0x00080023;
    static final int MODALITY = 0x00080060;
    static final int SERIES_DESCRIPTION = 0x0008103E;
    static final int REFERENCED_SERIES_SEQUENCE = 0x00081115;
    static final int PATIENT_ID = 0x00100020;
    static final int STUDY_INSTANCE_UID = 0x0020000D;
    static final int SERIES_INSTANCE_UID = 0x0020000E;
    static final int INSTANCE_NUMBER = 0x00200013;
    static final int NUMBER_OF_SERIES_RELATED_INSTANCES = 0x00201209;
    static final int SEGMENT_SEQUENCE = 0x00620002;
    static final int SEGMENT_LABEL = 0x00620005;
    static final int CONTENT_LABEL = 0x00700080;

    private static final String SERIES_FIELDS =
            "0020000D,0020000E,00080060,0008103E,00100020,00080020,00201209";

    /** What the last listing learnt of a series. */
    private record Known(String studyUid, long count, String fingerprint, int instances) {}

    /** The SEG instances of a SEG series, as of its instance count. */
    private record SegSeries(String studyUid, long count, List<SegRef> instances) {}

    private final DicomWebClient client;
    private final ReadOptions options;
    private final Path workDir;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Map<String, SegSeries> segSeries = new ConcurrentHashMap<>();
    private final AtomicInteger instanceSearches = new AtomicInteger();

    /** A source reading through {@code client} (owned: closed with the source). */
    public DicomWebSource(DicomWebClient client, ReadOptions options) {
        this(client, options, null);
    }

    /**
     * @param workDir where retrieved series are put while read, or null for the system's temporary
     *     folder
     */
    public DicomWebSource(DicomWebClient client, ReadOptions options, Path workDir) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.workDir = workDir;
    }

    /** The PACS's DICOMweb URL, without credentials. */
    @Override
    public String describe() {
        return client.describe();
    }

    /** The client the source reads through. */
    public DicomWebClient client() {
        return client;
    }

    @Override
    public List<SeriesRef> list() throws IOException {
        List<DicomJson> all =
                paged(
                        q -> client.searchSeries(q),
                        Map.of("includefield", SERIES_FIELDS),
                        SERIES_INSTANCE_UID,
                        -1);
        Map<String, SeriesRef> series = new TreeMap<>();
        Map<String, List<String>> labels = segmentationsByImage(all);
        for (DicomJson ds : all) {
            String seriesUid = ds.string(SERIES_INSTANCE_UID).orElse(null);
            String studyUid = ds.string(STUDY_INSTANCE_UID).orElse(null);
            String modality = ds.string(MODALITY).orElse("");
            if (seriesUid == null || studyUid == null || NOT_IMAGES.contains(modality)) {
                continue;
            }
            OptionalInt count = ds.intValue(NUMBER_OF_SERIES_RELATED_INSTANCES);
            Known k = known.get(seriesUid);
            if (k == null
                    || count.isEmpty()
                    || k.count() != count.getAsInt()
                    || !k.studyUid().equals(studyUid)) {
                k = fingerprint(studyUid, seriesUid, count.isPresent() ? count.getAsInt() : -1);
                if (k == null) {
                    continue; // gone, or no instances
                }
                known.put(seriesUid, k);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("series_instance_uid", seriesUid);
            info.put("study_instance_uid", studyUid);
            info.put("modality", modality);
            ds.string(SERIES_DESCRIPTION).ifPresent(v -> info.put("series_description", v));
            ds.string(PATIENT_ID).ifPresent(v -> info.put("patient_id", v));
            ds.string(STUDY_DATE).ifPresent(v -> info.put("study_date", v));
            info.put("instances", (long) k.instances());
            List<String> segs = labels.get(seriesUid);
            if (segs != null) {
                info.put(LABELS_KEY, List.copyOf(segs));
            }
            series.put(seriesUid, new SeriesRef(seriesUid, k.fingerprint(), info));
        }
        known.keySet().retainAll(series.keySet());
        return List.copyOf(series.values());
    }

    private Known fingerprint(String studyUid, String seriesUid, long count) throws IOException {
        List<DicomJson> instances;
        instanceSearches.incrementAndGet();
        try {
            instances =
                    paged(
                            q -> client.searchInstances(studyUid, seriesUid, q),
                            Map.of("includefield", "00080018"),
                            SOP_INSTANCE_UID,
                            count);
        } catch (NotFoundException e) {
            logger.debug("Series {} left {} while listed", seriesUid, describe());
            return null;
        }
        List<String> sops =
                instances.stream()
                        .map(i -> i.string(SOP_INSTANCE_UID).orElse(""))
                        .filter(s -> !s.isEmpty())
                        .sorted()
                        .toList();
        if (sops.isEmpty()) {
            return null;
        }
        return new Known(studyUid, count, sha256(sops), sops.size());
    }

    private static String sha256(List<String> sortedUids) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String uid : sortedUids) {
                digest.update(uid.getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) '\n');
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @FunctionalInterface
    private interface Search {
        List<DicomJson> search(Map<String, String> query) throws IOException;
    }

    /**
     * Every result of a QIDO-RS search, page by page: until a page is empty or brings nothing new
     * (a server that ignores {@code offset}), or {@code expected} results (when known, else -1)
     * have come.
     */
    private static List<DicomJson> paged(
            Search search, Map<String, String> query, int key, long expected) throws IOException {
        List<DicomJson> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int offset = 0;
        while (true) {
            Map<String, String> q = new LinkedHashMap<>(query);
            q.put("limit", Integer.toString(PAGE));
            q.put("offset", Integer.toString(offset));
            List<DicomJson> page = search.search(q);
            int fresh = 0;
            for (DicomJson ds : page) {
                String id = ds.string(key).orElse(null);
                if (id != null && seen.add(id)) {
                    out.add(ds);
                    fresh++;
                }
            }
            if (page.isEmpty() || fresh == 0 || (expected >= 0 && out.size() >= expected)) {
                return out;
            }
            offset += page.size();
        }
    }

    private String studyOf(SeriesRef series) throws IOException {
        Object study = series.info().get("study_instance_uid");
        if (study instanceof String s && !s.isEmpty()) {
            return s;
        }
        Known k = known.get(series.seriesUid());
        if (k != null) {
            return k.studyUid();
        }
        List<DicomJson> found =
                client.searchSeries(
                        Map.of(
                                "SeriesInstanceUID",
                                series.seriesUid(),
                                "includefield",
                                "0020000D"));
        return found.stream()
                .map(ds -> ds.string(STUDY_INSTANCE_UID).orElse(null))
                .filter(Objects::nonNull)
                .findFirst()
                .orElseThrow(
                        () ->
                                new NotFoundException(
                                        "DICOM series "
                                                + series.seriesUid()
                                                + " not found in "
                                                + describe()));
    }

    /**
     * Retrieves the series (WADO-RS) and assembles it; each instance is parsed from memory on a
     * second thread while the next one arrives, with no file written.
     */
    @Override
    public Volume read(SeriesRef series) throws IOException {
        String studyUid = studyOf(series);
        DicomParser parser = new DicomParser(options);
        ExecutorService parsing =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "wado-parse");
                            t.setDaemon(true);
                            return t;
                        });
        List<Future<DicomFile>> parsed = new ArrayList<>();
        try {
            client.retrieveSeries(
                    studyUid,
                    series.seriesUid(),
                    (n, in) -> {
                        byte[] bytes = in.readAllBytes();
                        parsed.add(parsing.submit(() -> parser.parse(bytes)));
                    });
            if (parsed.isEmpty()) {
                throw new InvalidImageException(
                        "DICOM series " + series.seriesUid() + ": the PACS sent no instances");
            }
            List<DicomFile> files = new ArrayList<>(parsed.size());
            for (Future<DicomFile> f : parsed) {
                files.add(result(f));
            }
            return new DicomSeries(options).assemble(files);
        } finally {
            parsing.shutdownNow();
        }
    }

    private static DicomFile result(Future<DicomFile> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted parsing a DICOM instance");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /**
     * The DICOM SEG instances in the image series' study whose ReferencedSeriesSequence (0008,1115)
     * names the series, ordered by series and SOPInstanceUID. A SEG series' metadata is retrieved
     * again only when its instance count changed.
     */
    public List<SegRef> segmentations(SeriesRef image) throws IOException {
        String studyUid = studyOf(image);
        List<DicomJson> segs =
                paged(
                        q -> client.searchSeries(studyUid, q),
                        Map.of(
                                "Modality",
                                "SEG",
                                "includefield",
                                "0020000E,00201209,0008103E,00080060"),
                        SERIES_INSTANCE_UID,
                        -1);
        Set<String> present = new HashSet<>();
        List<SegRef> out = new ArrayList<>();
        for (DicomJson ds : segs) {
            String segUid = ds.string(SERIES_INSTANCE_UID).orElse(null);
            if (segUid == null || !"SEG".equals(ds.string(MODALITY).orElse("SEG"))) {
                continue;
            }
            present.add(segUid);
            SegSeries cached = segSeries(studyUid, segUid, ds);
            if (cached == null) {
                continue; // gone meanwhile
            }
            for (SegRef ref : cached.instances()) {
                if (ref.referencedSeriesUid().equals(image.seriesUid())) {
                    out.add(ref);
                }
            }
        }
        segSeries
                .entrySet()
                .removeIf(
                        e ->
                                e.getValue().studyUid().equals(studyUid)
                                        && !present.contains(e.getKey()));
        out.sort(Comparator.comparing(SegRef::seriesUid).thenComparing(SegRef::sopInstanceUid));
        return out;
    }

    /** A SEG series' instances, from its metadata unless its instance count is unchanged. */
    private SegSeries segSeries(String studyUid, String segUid, DicomJson ds) throws IOException {
        OptionalInt count = ds.intValue(NUMBER_OF_SERIES_RELATED_INSTANCES);
        SegSeries cached = segSeries.get(segUid);
        if (cached == null
                || count.isEmpty()
                || cached.count() != count.getAsInt()
                || !cached.studyUid().equals(studyUid)) {
            List<DicomJson> metadata;
            try {
                metadata = client.retrieveSeriesMetadata(studyUid, segUid);
            } catch (NotFoundException e) {
                return null;
            }
            cached =
                    new SegSeries(
                            studyUid,
                            count.isPresent() ? count.getAsInt() : -1,
                            segRefs(studyUid, segUid, ds, metadata));
            segSeries.put(segUid, cached);
        }
        return cached;
    }

    /**
     * The SEG series of a listing by the image series they reference (SeriesInstanceUIDs, sorted):
     * what {@link SeriesRef#info()} says under {@link #LABELS_KEY}. SEG series not in the listing
     * are forgotten.
     */
    private Map<String, List<String>> segmentationsByImage(List<DicomJson> all) throws IOException {
        Map<String, List<String>> byImage = new HashMap<>();
        Set<String> present = new HashSet<>();
        for (DicomJson ds : all) {
            String segUid = ds.string(SERIES_INSTANCE_UID).orElse(null);
            String studyUid = ds.string(STUDY_INSTANCE_UID).orElse(null);
            if (segUid == null
                    || studyUid == null
                    || !"SEG".equals(ds.string(MODALITY).orElse(""))) {
                continue;
            }
            present.add(segUid);
            SegSeries seg = segSeries(studyUid, segUid, ds);
            if (seg == null) {
                continue;
            }
            for (SegRef ref : seg.instances()) {
                List<String> segs =
                        byImage.computeIfAbsent(ref.referencedSeriesUid(), k -> new ArrayList<>());
                if (!segs.contains(segUid)) {
                    segs.add(segUid);
                }
            }
        }
        segSeries.keySet().retainAll(present);
        byImage.values().forEach(Collections::sort);
        return byImage;
    }

    private static List<SegRef> segRefs(
            String studyUid, String segUid, DicomJson series, List<DicomJson> metadata) {
        List<SegRef> refs = new ArrayList<>();
        for (DicomJson instance : metadata) {
            String sop = instance.string(SOP_INSTANCE_UID).orElse(null);
            if (sop == null) {
                continue;
            }
            Map<String, Object> info = new LinkedHashMap<>();
            instance.string(SERIES_DESCRIPTION)
                    .or(() -> series.string(SERIES_DESCRIPTION))
                    .ifPresent(v -> info.put("series_description", v));
            instance.string(CONTENT_LABEL).ifPresent(v -> info.put("content_label", v));
            instance.string(CONTENT_DATE).ifPresent(v -> info.put("content_date", v));
            instance.intValue(INSTANCE_NUMBER)
                    .ifPresent(v -> info.put("instance_number", (long) v));
            List<String> segments = new ArrayList<>();
            for (DicomJson segment : instance.sequence(SEGMENT_SEQUENCE)) {
                segments.add(segment.string(SEGMENT_LABEL).orElse(""));
            }
            if (!segments.isEmpty()) {
                info.put("segments", List.copyOf(segments));
            }
            Set<String> referenced = new HashSet<>();
            for (DicomJson item : instance.sequence(REFERENCED_SERIES_SEQUENCE)) {
                item.string(SERIES_INSTANCE_UID)
                        .filter(referenced::add)
                        .ifPresent(uid -> refs.add(new SegRef(studyUid, segUid, sop, uid, info)));
            }
        }
        return refs;
    }

    /**
     * Retrieves one SEG instance (WADO-RS) into {@code dir} (created if needed), as {@code
     * <SOPInstanceUID>.dcm}; returns the file.
     */
    public Path retrieveSegmentation(SegRef seg, Path dir) throws IOException {
        Files.createDirectories(dir);
        return client.retrieveInstance(
                seg.studyUid(),
                seg.seriesUid(),
                seg.sopInstanceUid(),
                dir.resolve(seg.sopInstanceUid() + ".dcm"));
    }

    /**
     * Stores a DICOM Part 10 file in the PACS (STOW-RS), in the study given (null: the study the
     * file names).
     *
     * @throws org.monailabel.engine.dicomweb.DicomWebStoreException if the PACS did not store it
     */
    public StoreResult storeInstance(String studyUid, Path dicomFile) throws IOException {
        return client.store(studyUid, List.of(dicomFile));
    }

    /** Final labels go back to the PACS as DICOM SEG, in the series' study. */
    @Override
    public boolean storesLabels() {
        return true;
    }

    /**
     * Writes the label as a DICOM SEG referencing the series' instances (segments named by the
     * label info) and stores it in the series' study with STOW-RS.
     *
     * @return {@code seg_series_uid} and {@code seg_sop_instance_uid} of the stored SEG
     */
    @Override
    public Map<String, Object> storeLabel(
            SeriesRef series,
            Map<String, Object> imageInfo,
            Path label,
            Map<String, Object> labelInfo)
            throws IOException {
        ReferencedSeries source = DicomLabels.referencedSeries(series.seriesUid(), imageInfo);
        Volume volume = ImageIo.read(label);
        Path dir =
                workDir == null
                        ? Files.createTempDirectory("monailabel-seg-")
                        : Files.createTempDirectory(
                                Files.createDirectories(workDir), "monailabel-seg-");
        try {
            Path file = dir.resolve("seg.dcm");
            DicomSegWriter.Written written =
                    DicomLabels.writeSeg(
                            volume,
                            source,
                            DicomLabels.segments(volume, labelInfo),
                            "MONAI Label final label",
                            file);
            client.store(source.studyInstanceUid(), List.of(file));
            Map<String, Object> stored = new LinkedHashMap<>();
            stored.put("seg_series_uid", written.seriesInstanceUid());
            stored.put("seg_sop_instance_uid", written.sopInstanceUid());
            return stored;
        } finally {
            SeriesDatastore.deleteTree(dir);
        }
    }

    /**
     * The newest SEG in the PACS that references the series (by ContentDate, then UIDs), read onto
     * the image's grid; label values are its segment numbers, named by its segment labels.
     */
    @Override
    public Optional<SourceLabel> readLabel(SeriesRef series, Volume image, Path dir)
            throws IOException {
        List<SegRef> segs = new ArrayList<>(segmentations(series));
        if (segs.isEmpty()) {
            return Optional.empty();
        }
        segs.sort(
                Comparator.comparing(
                                (SegRef r) ->
                                        String.valueOf(r.info().getOrDefault("content_date", "")))
                        .thenComparing(SegRef::seriesUid)
                        .thenComparing(SegRef::sopInstanceUid));
        SegRef newest = segs.get(segs.size() - 1);
        Path file = retrieveSegmentation(newest, dir.resolve("seg"));
        ReferencedSeries source = null;
        if (image.metadata().get(ReferencedSeries.METADATA_KEY) instanceof Map<?, ?> m) {
            Map<String, Object> map = new LinkedHashMap<>();
            m.forEach((k, v) -> map.put(String.valueOf(k), v));
            source = ReferencedSeries.fromMap(map);
        }
        DicomSegReader.Result result =
                new DicomSegReader(options).read(file, VolumeGrid.of(image), source);
        Path label = dir.resolve(series.seriesUid() + ".nii.gz");
        ImageIo.write(result.labels(), label, WriteOptions.defaults());
        Map<String, Object> names = new LinkedHashMap<>();
        List<Object> labelInfo = new ArrayList<>();
        result.labelNames()
                .forEach(
                        (value, name) -> {
                            names.put(name, (long) value);
                            labelInfo.add(Map.of("name", name, "idx", (long) value));
                        });
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("label_names", names);
        info.put("label_info", labelInfo);
        info.put(
                "dicom_seg",
                Map.of(
                        "series_uid", newest.seriesUid(),
                        "sop_instance_uid", newest.sopInstanceUid()));
        return Optional.of(new SourceLabel(label, info));
    }

    @Override
    public void close() {
        client.close();
    }

    /** How many QIDO-RS searches of a series' instances listings have made (for tests). */
    int instanceSearches() {
        return instanceSearches.get();
    }
}
