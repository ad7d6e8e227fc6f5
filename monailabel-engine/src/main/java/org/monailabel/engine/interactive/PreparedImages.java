package org.monailabel.engine.interactive;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.segmentation.SegmentationPipeline;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Resample;

/**
 * What does not change between clicks: images read and planned onto the network grid as a model
 * card says (reoriented to RAS, resampled to the card's spacing, windowed), kept in memory so that
 * a click on the same image only runs the network and the paste-back. An entry prepares only what
 * is asked of it: the region a click's crop needs ({@link Entry#crop}, DeepGrow), or the whole
 * image ({@link Entry#input}, DeepEdit), with the same values either way. Entries are keyed by the
 * image (its datastore id, else its path), the file's modification time and size, and the card's
 * pre-processing, so an image replaced on disk is prepared again. Bounded by bytes (least recently
 * used first out) and by a time-to-live since last use. Thread-safe; concurrent requests for an
 * image being read wait for that one read.
 */
public final class PreparedImages {
    /**
     * An image and its network grid. What is computed from it is computed once and kept: the whole
     * windowed image when asked for, and the windowed range of the whole image (which a card that
     * rescales needs for any region).
     */
    public static final class Entry {
        private static final int PROBE_PLANES = 8;

        private final Grid grid;
        private final Grid inputGrid;
        private final IntensityWindow window;
        private final long bytes;
        private Volume image; // null once the whole input exists
        private float[] input;
        private float[] range;

        Entry(Volume image, ModelCard card) {
            this.grid = SegmentationPipeline.networkGrid(image, card);
            this.inputGrid = new Grid(Arrays.copyOf(image.shape(), 3), image.affine());
            this.window = card.intensity();
            this.image = image;
            int[] g = grid.shape();
            this.bytes = image.data().capacity() + 4L * g[0] * g[1] * g[2] + 256;
        }

        /** The network grid (RAS, the card's spacing). */
        public Grid grid() {
            return grid;
        }

        /** The stored image's grid, which results go back onto. */
        public Grid inputGrid() {
            return inputGrid;
        }

        /**
         * The whole image on the network grid, windowed, C order {@code (X, Y, Z)}: resampled on
         * first use and kept (the image as read is then let go).
         */
        public synchronized float[] input() {
            if (input == null) {
                float[] v = Resample.resampleToDense(image, grid);
                range = window.applyInPlace(v);
                input = v;
                image = null;
            }
            return input;
        }

        /**
         * The box of the network grid that a click needs, windowed, {@code fill} where the box
         * leaves the grid: the values {@code box.crop(input(), grid().shape(), fill)} would give,
         * computed from the image as read for this box alone (plus, once per image for a card that
         * rescales by the whole image's range, a few probe planes, or the whole image where they
         * cannot settle that range).
         */
        public float[] crop(CropBox box, float fill) {
            Volume source;
            float[] whole;
            synchronized (this) {
                source = image;
                whole = input;
            }
            if (whole != null) {
                return box.crop(whole, grid.shape(), fill);
            }
            int[] start = box.start();
            int[] size = box.size();
            float[] out = new float[box.voxels()];
            Resample.resampleBoxToDense(source, grid, start, size, fill, FloatBuffer.wrap(out));
            int[][] inside = inside(start, size, grid.shape());
            float[] seen = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
            forInside(inside, size, o -> out[o] = windowAndTrack(out[o], seen));
            if (window.rescale()) {
                float[] r = range(seen);
                if (r == null) {
                    return box.crop(input(), grid.shape(), fill);
                }
                forInside(inside, size, o -> out[o] = window.rescale(out[o], r[0], r[1]));
            }
            return out;
        }

        /**
         * Settles, ahead of the first crop, what every crop of a card that rescales needs: the
         * windowed range of the whole image (from the probe planes, else the whole image).
         */
        public void settleRange() {
            if (!window.rescale()) {
                return;
            }
            if (range(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) == null) {
                input();
            }
        }

        private float windowAndTrack(float v, float[] seen) {
            float w = window.window(v);
            seen[0] = Math.min(seen[0], w);
            seen[1] = Math.max(seen[1], w);
            return w;
        }

        /**
         * The windowed range of the whole image, or null when only the whole image can tell. With a
         * clipping window the range is {@code [low, high]} as soon as some voxel of the grid
         * reaches each bound (no voxel can lie beyond them): the crop's own voxels are looked at
         * first, then up to {@value #PROBE_PLANES} evenly spaced planes across each axis, axial
         * ones first. Kept once known.
         */
        private synchronized float[] range(float[] seenInCrop) {
            if (range != null) {
                return range;
            }
            if (!window.clip()) {
                return null;
            }
            float lo = (float) window.low();
            float hi = (float) window.high();
            float[] seen = seenInCrop.clone();
            int[] g = grid.shape();
            // axial planes first: in a CT each holds air and bone
            for (int axis = 2; axis >= 0 && !(seen[0] == lo && seen[1] == hi); axis--) {
                int[] size = g.clone();
                size[axis] = 1;
                float[] plane = new float[size[0] * size[1] * size[2]];
                for (int p = 0; p < PROBE_PLANES && !(seen[0] == lo && seen[1] == hi); p++) {
                    int[] start = new int[3];
                    start[axis] = (int) ((long) p * (g[axis] - 1) / (PROBE_PLANES - 1));
                    Resample.resampleBoxToDense(
                            image, grid, start, size, 0f, FloatBuffer.wrap(plane));
                    for (float v : plane) {
                        windowAndTrack(v, seen);
                    }
                }
            }
            if (seen[0] == lo && seen[1] == hi) {
                range = new float[] {lo, hi};
                return range;
            }
            return null;
        }

        /** Per axis, the box indices {@code [from, to)} that lie on the grid. */
        private static int[][] inside(int[] start, int[] size, int[] g) {
            int[][] r = new int[3][2];
            for (int a = 0; a < 3; a++) {
                r[a][0] = Math.max(0, Math.min(size[a], -start[a]));
                r[a][1] = Math.max(r[a][0], Math.min(size[a], g[a] - start[a]));
            }
            return r;
        }

        private static void forInside(int[][] inside, int[] size, IntConsumer voxel) {
            for (int x = inside[0][0]; x < inside[0][1]; x++) {
                for (int y = inside[1][0]; y < inside[1][1]; y++) {
                    int row = (x * size[1] + y) * size[2];
                    for (int z = inside[2][0]; z < inside[2][1]; z++) {
                        voxel.accept(row + z);
                    }
                }
            }
        }

        long bytes() {
            return bytes;
        }

        /** Whether the whole image has been resampled (tests). */
        synchronized boolean hasWholeImage() {
            return input != null;
        }
    }

    /** Reads an image file. */
    @FunctionalInterface
    public interface Reader {
        Volume read(Path file) throws IOException;
    }

    private record Slot(Entry entry, long lastUse) {}

    private final long budgetBytes;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Slot> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<Entry>> reading = new HashMap<>();
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
     * The prepared image: from memory, else read now (and kept); while another request reads it,
     * its read is waited for.
     *
     * @param identity the datastore id, or the path when the image is not in the datastore
     */
    public Entry get(String identity, Path file, ModelCard card) throws IOException {
        return get(identity, file, card, ImageIo::read);
    }

    /**
     * As {@link #get(String, Path, ModelCard)} with the image read by {@code reader} when it is not
     * cached yet (several caches warmed together share one read).
     */
    public Entry get(String identity, Path file, ModelCard card, Reader reader) throws IOException {
        String key = key(identity, file, card);
        CompletableFuture<Entry> pending;
        boolean mine = false;
        synchronized (this) {
            expire();
            Slot slot = entries.get(key);
            if (slot != null) {
                hits++;
                entries.put(key, new Slot(slot.entry(), clock.getAsLong()));
                return slot.entry();
            }
            pending = reading.get(key);
            if (pending == null) {
                misses++;
                pending = new CompletableFuture<>();
                reading.put(key, pending);
                mine = true;
            }
        }
        if (!mine) {
            return await(pending);
        }
        try {
            Entry entry = new Entry(reader.read(file), card);
            synchronized (this) {
                reading.remove(key);
                put(key, entry);
            }
            pending.complete(entry);
            return entry;
        } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
                reading.remove(key);
            }
            pending.completeExceptionally(e);
            throw e;
        }
    }

    private static Entry await(CompletableFuture<Entry> pending) throws IOException {
        try {
            return pending.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
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
