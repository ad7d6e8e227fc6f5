package org.monailabel.engine.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.image.Affine;
import org.monailabel.engine.model.ModelCard;

/**
 * The pre-processed training studies, bounded in memory: the most recently used samples stay on the
 * heap up to a byte budget, and every sample is also kept in a disk cache (raw floats, written by
 * temporary file and rename), from which an evicted sample comes back in a fraction of the time a
 * new pre-processing would take. A sample's key hashes everything its content depends on (the image
 * and label files' paths, sizes and modification times, the label info, and what the {@link
 * StudyPreprocessing} says it depends on: by default the card's labels, spacing and intensity
 * window), so a changed label, a different model or pre-processing never reads a stale entry, and a
 * later training run reuses the entries of the studies that did not change. Thread-safe.
 */
public final class PreparedCache {
    private static final int MAGIC = 0x4d4c5331; // "MLS1"
    private static final String SUFFIX = ".sample";

    private final Path dir;
    private final long budget;
    private final StudyPreprocessing preprocessing;
    private final LinkedHashMap<String, TrainingData.Sample> memory =
            new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long memoryHits;
    private long diskReads;
    private long prepared;

    /**
     * @param dir the disk cache folder (created when needed)
     * @param budgetBytes how many bytes of samples to keep on the heap
     */
    public PreparedCache(Path dir, long budgetBytes) {
        this(dir, budgetBytes, StudyPreprocessing.ofCard());
    }

    /**
     * @param dir the disk cache folder (created when needed)
     * @param budgetBytes how many bytes of samples to keep on the heap
     * @param preprocessing how a study is pre-processed, and so part of each key
     */
    public PreparedCache(Path dir, long budgetBytes, StudyPreprocessing preprocessing) {
        this.dir = dir;
        this.budget = Math.max(0, budgetBytes);
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
    }

    /** The cache key of a study as pre-processed for a card by the card's pre-processing. */
    public static String key(TrainingPair pair, ModelCard card) throws IOException {
        return key(pair, card, StudyPreprocessing.ofCard());
    }

    /** The key of a study in this cache. */
    public String keyOf(TrainingPair pair, ModelCard card) throws IOException {
        return key(pair, card, preprocessing);
    }

    /** The cache key of a study as {@code preprocessing} prepares it for a card. */
    public static String key(TrainingPair pair, ModelCard card, StudyPreprocessing preprocessing)
            throws IOException {
        Map<String, Object> parts = new TreeMap<>(preprocessing.cacheKey(card));
        parts.put("format", MAGIC);
        parts.put("id", pair.imageId());
        parts.put("image", fileStamp(pair.image()));
        parts.put("label", fileStamp(pair.label()));
        parts.put("label_info", new TreeMap<>(pair.labelInfo()).toString());
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(parts.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fileStamp(Path file) throws IOException {
        return file.toAbsolutePath()
                + ":"
                + Files.size(file)
                + ":"
                + Files.getLastModifiedTime(file).toMillis();
    }

    /**
     * The sample for a study: from memory, else from the disk cache, else pre-processed now (and
     * written to the disk cache).
     */
    public TrainingData.Sample get(TrainingPair pair, ModelCard card) throws IOException {
        String key = keyOf(pair, card);
        synchronized (this) {
            TrainingData.Sample s = memory.get(key);
            if (s != null) {
                memoryHits++;
                return s;
            }
            Path file = dir.resolve(key + SUFFIX);
            if (Files.exists(file)) {
                try {
                    s = read(file, pair.imageId());
                    diskReads++;
                    remember(key, s);
                    return s;
                } catch (IOException e) {
                    Files.deleteIfExists(file); // a damaged entry: prepare again
                }
            }
        }
        TrainingData.Sample s =
                TrainingData.prepare(pair, card, preprocessing); // slow: outside the lock
        synchronized (this) {
            prepared++;
            write(dir.resolve(key + SUFFIX), s);
            remember(key, s);
        }
        return s;
    }

    /** Deletes disk entries whose key is not in {@code keep} (studies no longer in the dataset). */
    public synchronized void retainOnly(Set<String> keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(SUFFIX)
                                && !keep.contains(
                                        name.substring(0, name.length() - SUFFIX.length()))
                        || name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
        memory.keySet().retainAll(keep);
        bytes = memory.values().stream().mapToLong(PreparedCache::sizeOf).sum();
    }

    /** Counters: memory hits, disk reads, pre-processings, bytes on the heap. */
    public synchronized Map<String, Long> counters() {
        return Map.of(
                "memory_hits",
                memoryHits,
                "disk_reads",
                diskReads,
                "prepared",
                prepared,
                "heap_bytes",
                bytes);
    }

    private void remember(String key, TrainingData.Sample s) {
        long size = sizeOf(s);
        if (size > budget) {
            return; // larger than the whole budget: served from disk every time
        }
        memory.put(key, s);
        bytes += size;
        Iterator<Map.Entry<String, TrainingData.Sample>> it = memory.entrySet().iterator();
        while (bytes > budget && it.hasNext()) {
            Map.Entry<String, TrainingData.Sample> eldest = it.next();
            if (eldest.getKey().equals(key)) {
                continue;
            }
            bytes -= sizeOf(eldest.getValue());
            it.remove();
        }
    }

    static long sizeOf(TrainingData.Sample s) {
        return (long) s.image().length * Float.BYTES + s.label().length;
    }

    private static void write(Path file, TrainingData.Sample s) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp =
                file.resolveSibling(
                        file.getFileName() + "." + Thread.currentThread().getId() + ".tmp");
        try (FileChannel ch =
                FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            ByteBuffer header =
                    ByteBuffer.allocate(4 + 3 * 4 + 16 * 8).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(MAGIC);
            for (int d : s.shape()) {
                header.putInt(d);
            }
            double[] m = s.affine().toArray();
            for (double v : m) {
                header.putDouble(v);
            }
            writeFully(ch, header.flip());
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            float[] image = s.image();
            for (int i = 0; i < image.length; ) {
                int n = Math.min(chunk.capacity() / 4, image.length - i);
                chunk.clear();
                chunk.asFloatBuffer().put(image, i, n);
                chunk.limit(n * 4);
                writeFully(ch, chunk);
                i += n;
            }
            writeFully(ch, ByteBuffer.wrap(s.label()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static TrainingData.Sample read(Path file, String imageId) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header =
                    ByteBuffer.allocate(4 + 3 * 4 + 16 * 8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header);
            header.flip();
            if (header.getInt() != MAGIC) {
                throw new IOException("Not a training cache entry: " + file);
            }
            int[] shape = {header.getInt(), header.getInt(), header.getInt()};
            long n = (long) shape[0] * shape[1] * shape[2];
            if (shape[0] <= 0
                    || shape[1] <= 0
                    || shape[2] <= 0
                    || n > Integer.MAX_VALUE
                    || ch.size() != header.capacity() + n * 5) {
                throw new IOException("Truncated training cache entry: " + file);
            }
            double[] m = new double[16];
            for (int i = 0; i < 16; i++) {
                m[i] = header.getDouble();
            }
            float[] image = new float[(int) n];
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < image.length; ) {
                int count = Math.min(chunk.capacity() / 4, image.length - i);
                chunk.clear().limit(count * 4);
                readFully(ch, chunk);
                chunk.flip();
                chunk.asFloatBuffer().get(image, i, count);
                i += count;
            }
            byte[] label = new byte[(int) n];
            readFully(ch, ByteBuffer.wrap(label));
            return new TrainingData.Sample(imageId, shape, image, label, Affine.of(m));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("Unexpected end of training cache entry");
            }
        }
    }
}
