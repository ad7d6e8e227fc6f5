package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.dicom.DicomDataset;
import org.monailabel.engine.io.dicom.DicomFile;
import org.monailabel.engine.io.dicom.DicomParser;
import org.monailabel.engine.io.dicom.DicomSeries;
import org.monailabel.engine.io.dicom.DicomTags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DICOM series in a folder tree: every regular file at any depth that is a DICOM Part 10 file
 * (the {@code DICM} prefix after the 128-byte preamble), whatever its name, grouped by {@code
 * SeriesInstanceUID}. Hidden files and folders (names starting with a dot) and the folders given as
 * excluded (a datastore's labels) are skipped; so are files that are not Part 10 (raw datasets
 * without the preamble are not recognised) and instances that are not images with a plane position
 * (segmentations, structured reports, presentation states).
 *
 * <p>Listing reads each file's attributes up to its pixel data once; a file whose size and
 * modification time have not changed is not read again, so listing a folder again costs a walk of
 * the tree. The fingerprint of a series hashes its instances' paths, sizes, modification times and
 * {@code SOPInstanceUID}s. Thread-safe.
 */
public final class DicomFolderSource implements SeriesSource {
    private static final Logger logger = LoggerFactory.getLogger(DicomFolderSource.class);
    private static final int PREFIX = 132;

    /** Modalities of series that are not images (segmentations, reports, states, plans...). */
    static final Set<String> NOT_IMAGES =
            Set.of("SEG", "RTSTRUCT", "SR", "PR", "KO", "REG", "RTPLAN", "RTDOSE", "RWV", "DOC");

    /** What one file holds; {@code seriesUid} null for a file that is not a DICOM image. */
    private record Header(
            long size,
            long modified,
            String seriesUid,
            String sopUid,
            Map<String, Object> series,
            String problem) {}

    private final Path root;
    private final List<Path> excluded;
    private final ReadOptions options;
    private final Map<Path, Header> headers = new ConcurrentHashMap<>();
    private final Map<String, List<Path>> filesBySeries = new ConcurrentHashMap<>();

    /**
     * @param root the folder to walk
     * @param excluded folders inside it that are never walked (a datastore's own files)
     */
    public DicomFolderSource(Path root, List<Path> excluded, ReadOptions options) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.excluded = excluded.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String describe() {
        return root.toString();
    }

    /** Whether the folder holds at least one DICOM Part 10 file (reads 132 bytes per file). */
    public static boolean holdsDicom(Path root, List<Path> excluded) throws IOException {
        boolean[] found = {false};
        walk(
                root.toAbsolutePath().normalize(),
                excluded.stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                (file, attrs) -> {
                    if (isPart10(file)) {
                        found[0] = true;
                        return FileVisitResult.TERMINATE;
                    }
                    return FileVisitResult.CONTINUE;
                });
        return found[0];
    }

    @Override
    public synchronized List<SeriesRef> list() throws IOException {
        Map<Path, Header> seen = new HashMap<>();
        walk(
                root,
                excluded,
                (file, attrs) -> {
                    seen.put(file, header(file, attrs));
                    return FileVisitResult.CONTINUE;
                });
        headers.keySet().retainAll(seen.keySet());
        Map<String, List<Map.Entry<Path, Header>>> bySeries = new TreeMap<>();
        for (Map.Entry<Path, Header> e : seen.entrySet()) {
            if (e.getValue().seriesUid() != null) {
                bySeries.computeIfAbsent(e.getValue().seriesUid(), k -> new ArrayList<>()).add(e);
            }
        }
        List<SeriesRef> series = new ArrayList<>();
        Map<String, List<Path>> files = new HashMap<>();
        for (Map.Entry<String, List<Map.Entry<Path, Header>>> s : bySeries.entrySet()) {
            List<Map.Entry<Path, Header>> instances = new ArrayList<>(s.getValue());
            instances.sort(Comparator.comparing(e -> e.getKey().toString()));
            Map<String, Object> info = new LinkedHashMap<>(instances.get(0).getValue().series());
            info.put("instances", (long) instances.size());
            info.put("folder", root.relativize(instances.get(0).getKey().getParent()).toString());
            series.add(new SeriesRef(s.getKey(), fingerprint(instances), info));
            files.put(s.getKey(), instances.stream().map(Map.Entry::getKey).toList());
        }
        filesBySeries.keySet().retainAll(files.keySet());
        filesBySeries.putAll(files);
        return series;
    }

    /** The files of a listed series, in path order. */
    public List<Path> files(String seriesUid) {
        return filesBySeries.getOrDefault(seriesUid, List.of());
    }

    @Override
    public Volume read(SeriesRef series) throws IOException {
        List<Path> files = files(series.seriesUid());
        if (files.isEmpty()) {
            throw new InvalidImageException(
                    "DICOM series " + series.seriesUid() + " has no files left in " + root);
        }
        return new DicomSeries(options).read(files);
    }

    private Header header(Path file, BasicFileAttributes attrs) {
        long size = attrs.size();
        long modified = attrs.lastModifiedTime().toMillis();
        Header known = headers.get(file);
        if (known != null && known.size() == size && known.modified() == modified) {
            return known;
        }
        Header header = readHeader(file, size, modified);
        if (header.problem() != null) {
            logger.warn("Skipping {}: {}", root.relativize(file), header.problem());
        }
        headers.put(file, header);
        return header;
    }

    private Header readHeader(Path file, long size, long modified) {
        try {
            if (!isPart10(file)) {
                return new Header(size, modified, null, null, Map.of(), null);
            }
            DicomFile parsed = new DicomParser(options).parseHeader(file);
            DicomDataset ds = parsed.dataset();
            String modality = ds.string(DicomTags.MODALITY).orElse("");
            if (NOT_IMAGES.contains(modality)
                    || !ds.contains(DicomTags.ROWS)
                    || !ds.contains(DicomTags.IMAGE_POSITION_PATIENT)) {
                return new Header(size, modified, null, null, Map.of(), null);
            }
            String seriesUid = ds.string(DicomTags.SERIES_INSTANCE_UID).orElse(null);
            String sopUid = ds.string(DicomTags.SOP_INSTANCE_UID).orElse("");
            if (seriesUid == null) {
                return new Header(
                        size, modified, null, null, Map.of(), "no SeriesInstanceUID (0020,000E)");
            }
            Map<String, Object> series = new LinkedHashMap<>();
            series.put("series_instance_uid", seriesUid);
            ds.string(DicomTags.STUDY_INSTANCE_UID)
                    .ifPresent(v -> series.put("study_instance_uid", v));
            series.put("modality", modality);
            ds.string(DicomTags.SERIES_DESCRIPTION)
                    .ifPresent(v -> series.put("series_description", v));
            ds.string(DicomTags.PATIENT_ID).ifPresent(v -> series.put("patient_id", v));
            ds.string(DicomTags.STUDY_DATE).ifPresent(v -> series.put("study_date", v));
            return new Header(size, modified, seriesUid, sopUid, series, null);
        } catch (IOException | RuntimeException e) {
            return new Header(size, modified, null, null, Map.of(), e.getMessage());
        }
    }

    private static boolean isPart10(Path file) throws IOException {
        byte[] prefix = new byte[PREFIX];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(prefix, 0, PREFIX) < PREFIX) {
                return false;
            }
        }
        return prefix[128] == 'D' && prefix[129] == 'I' && prefix[130] == 'C' && prefix[131] == 'M';
    }

    private String fingerprint(List<Map.Entry<Path, Header>> instances) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<Path, Header> e : instances) {
                Header h = e.getValue();
                String line =
                        root.relativize(e.getKey())
                                + "|"
                                + h.size()
                                + "|"
                                + h.modified()
                                + "|"
                                + h.sopUid()
                                + "\n";
                digest.update(line.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @FunctionalInterface
    private interface FileAction {
        FileVisitResult visit(Path file, BasicFileAttributes attrs) throws IOException;
    }

    private static void walk(Path root, List<Path> excluded, FileAction action) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try {
            Files.walkFileTree(
                    root,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(
                                Path dir, BasicFileAttributes attrs) {
                            if (!dir.equals(root) && (hidden(dir) || excluded.contains(dir))) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            if (!attrs.isRegularFile() || hidden(file)) {
                                return FileVisitResult.CONTINUE;
                            }
                            return action.visit(file, attrs);
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            logger.warn("Cannot read {}: {}", file, e.toString());
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean hidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }
}
