package org.monailabel.engine.interactive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.segmentation.SegmentationPipeline;
import org.monailabel.engine.transform.Grid;

/**
 * What does not change between clicks: images pre-processed as a model card says (reoriented to
 * RAS, resampled to the card's spacing, windowed), kept in memory so that a click on the same image
 * only runs the network and the paste-back. Entries are keyed by the image (its datastore id, else
 * its path), the file's modification time and size, and the card's pre-processing, so an image
 * replaced on disk is prepared again. Bounded by bytes (least recently used first out) and by a
 * time-to-live since last use. Thread-safe; two first clicks on the same image at once may both
 * prepare it (the second result replaces the first), which costs time, never correctness.
 */
public final class PreparedImages {
    /**
     * An image on the network grid.
     *
     * @param input windowed intensities, C order {@code (X, Y, Z)} on {@code grid}
     * @param grid the network grid (RAS, the card's spacing)
     * @param inputGrid the stored image's grid, which results go back onto
     */
    public record Entry(float[] input, Grid grid, Grid inputGrid) {
        long bytes() {
            return (long) input.length * Float.BYTES + 256;
        }
    }

    private record Slot(Entry entry, long lastUse) {}

    private final long budgetBytes;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Slot> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    /**
     * @param budgetBytes most bytes kept (an entry larger than this is used once, not kept)
     * @param ttlSeconds seconds an unused entry is kept
     * @param clock nanosecond time source ({@code System::nanoTime}; tests pass their own)
     */
    public PreparedImages(long budgetBytes, double ttlSeconds, LongSupplier clock) {
        this.budgetBytes = Math.max(0, budgetBytes);
        this.ttlNanos = (long) (ttlSeconds * 1e9);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The key of an image file for a card: identity, modification time, size, pre-processing. */
    public static String key(String identity, Path file, ModelCard card) throws IOException {
        return identity
                + "|"
                + Files.getLastModifiedTime(file).toMillis()
                + "|"
                + Files.size(file)
                + "|"
                + Arrays.toString(card.spacing())
                + "|"
                + card.intensity();
    }

    /**
     * The prepared image: from memory, else read and prepared now (and kept).
     *
     * @param identity the datastore id, or the path when the image is not in the datastore
     */
    public Entry get(String identity, Path file, ModelCard card) throws IOException {
        String key = key(identity, file, card);
        synchronized (this) {
            expire();
            Slot slot = entries.get(key);
            if (slot != null) {
                hits++;
                entries.put(key, new Slot(slot.entry(), clock.getAsLong()));
                return slot.entry();
            }
            misses++;
        }
        Volume image = ImageIo.read(file);
        Grid inputGrid = new Grid(Arrays.copyOf(image.shape(), 3), image.affine());
        SegmentationPipeline.Prepared prepared = SegmentationPipeline.prepare(image, card);
        Entry entry = new Entry(prepared.input(), prepared.grid(), inputGrid);
        put(key, entry);
        return entry;
    }

    /** Keeps an entry, evicting the least recently used ones beyond the budget. */
    synchronized void put(String key, Entry entry) {
        Slot old = entries.remove(key);
        if (old != null) {
            bytes -= old.entry().bytes();
        }
        if (entry.bytes() > budgetBytes) {
            return;
        }
        entries.put(key, new Slot(entry, clock.getAsLong()));
        bytes += entry.bytes();
        Iterator<Map.Entry<String, Slot>> it = entries.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
            Map.Entry<String, Slot> eldest = it.next();
            if (!eldest.getKey().equals(key)) {
                bytes -= eldest.getValue().entry().bytes();
                it.remove();
            }
        }
    }

    /** Drops entries unused for longer than the time-to-live. */
    private void expire() {
        long now = clock.getAsLong();
        Iterator<Slot> it = entries.values().iterator();
        while (it.hasNext()) {
            Slot s = it.next();
            if (now - s.lastUse() > ttlNanos) {
                bytes -= s.entry().bytes();
                it.remove();
            }
        }
    }

    /** Hits, misses, entries and bytes kept. */
    public synchronized Map<String, Long> counters() {
        return Map.of(
                "hits", hits, "misses", misses, "entries", (long) entries.size(), "bytes", bytes);
    }
}
