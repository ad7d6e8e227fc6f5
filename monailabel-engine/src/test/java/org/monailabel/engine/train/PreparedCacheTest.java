package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.TrainingPair;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.Floats;
import org.monailabel.testing.SpleenStudies;

/**
 * Pre-processed studies stay within the heap budget and come back identical from the disk cache.
 */
@Tag("engine")
class PreparedCacheTest {
    @TempDir Path dir;

    static final ModelCard CARD =
            new ModelCard(
                    "spleen",
                    0,
                    "unet",
                    new UNetConfig(
                                    1,
                                    2,
                                    new int[] {8, 16},
                                    new int[] {2},
                                    1,
                                    Norm.BATCH,
                                    Activation.PRELU,
                                    0)
                            .toMap(),
                    "model.params",
                    Map.of("background", 0, "spleen", 1),
                    new double[] {6, 6, 6},
                    IntensityWindow.ct(-57, 164),
                    new int[] {32, 32, 32},
                    0.25,
                    2,
                    BlendMode.CONSTANT,
                    Map.of());

    List<TrainingPair> studies(int count) throws IOException {
        List<TrainingPair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pairs.add(SpleenStudies.write(dir, i));
        }
        return pairs;
    }

    @Test
    void keepsAtMostTheBudgetOnTheHeapAndReloadsEvictedStudiesIdentically() throws IOException {
        List<TrainingPair> pairs = studies(3);
        TrainingData.Sample reference = TrainingData.prepare(pairs.get(0), CARD);
        long one = PreparedCache.sizeOf(reference);
        PreparedCache cache =
                new PreparedCache(dir.resolve("cache"), one + one / 2); // room for one study

        List<TrainingData.Sample> first = new ArrayList<>();
        for (TrainingPair pair : pairs) {
            first.add(cache.get(pair, CARD));
            assertThat(cache.counters().get("heap_bytes")).isLessThanOrEqualTo(one + one / 2);
        }
        assertThat(cache.counters()).containsEntry("prepared", 3L).containsEntry("disk_reads", 0L);
        assertThat(cache.get(pairs.get(2), CARD))
                .isSameAs(first.get(2)); // the most recent stays in memory
        assertThat(cache.counters()).containsEntry("memory_hits", 1L);

        TrainingData.Sample again = cache.get(pairs.get(0), CARD); // evicted: back from disk
        assertThat(cache.counters()).containsEntry("disk_reads", 1L).containsEntry("prepared", 3L);
        assertThat(again).isNotSameAs(first.get(0));
        assertThat(again.shape()).isEqualTo(reference.shape());
        assertThat(again.affine()).isEqualTo(reference.affine());
        Floats.assertIdentical(again.image(), reference.image());
        assertThat(again.label()).isEqualTo(reference.label());

        // a second cache on the same folder (the next training run) prepares nothing
        PreparedCache next = new PreparedCache(dir.resolve("cache"), Long.MAX_VALUE);
        for (TrainingPair pair : pairs) {
            next.get(pair, CARD);
        }
        assertThat(next.counters()).containsEntry("prepared", 0L).containsEntry("disk_reads", 3L);
    }

    @Test
    void aChangedLabelOrCardIsPreparedAgainAndStaleEntriesAreDeleted() throws IOException {
        List<TrainingPair> pairs = studies(1);
        PreparedCache cache = new PreparedCache(dir.resolve("cache"), Long.MAX_VALUE);
        TrainingData.Sample before = cache.get(pairs.get(0), CARD);
        String oldKey = PreparedCache.key(pairs.get(0), CARD);

        // the radiologist saves a corrected label: now the liver is marked as "spleen"
        PhantomGenerator.Phantom p =
                PhantomGenerator.render(
                        "s0",
                        10,
                        new int[] {40, 36, 24},
                        new double[] {9, 9, 12},
                        StorageOrder.values()[0]);
        SpleenStudies.writeOrgan(p.label(), pairs.get(0).label(), 1);
        Files.setLastModifiedTime(
                pairs.get(0).label(), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        String newKey = PreparedCache.key(pairs.get(0), CARD);
        assertThat(newKey).isNotEqualTo(oldKey);
        TrainingData.Sample after = cache.get(pairs.get(0), CARD);
        assertThat(after.label()).isNotEqualTo(before.label());
        assertThat(cache.counters()).containsEntry("prepared", 2L);

        ModelCard finer =
                new ModelCard(
                        "spleen",
                        0,
                        "unet",
                        CARD.hyperparameters(),
                        "model.params",
                        CARD.labels(),
                        new double[] {4, 4, 4},
                        CARD.intensity(),
                        CARD.roiSize(),
                        0.25,
                        2,
                        BlendMode.CONSTANT,
                        Map.of());
        assertThat(PreparedCache.key(pairs.get(0), finer)).isNotEqualTo(newKey);

        cache.retainOnly(Set.of(newKey));
        try (var files = Files.list(dir.resolve("cache"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactly(newKey + ".sample");
        }
    }

    @Test
    void aDamagedEntryIsPreparedAgain() throws IOException {
        List<TrainingPair> pairs = studies(1);
        new PreparedCache(dir.resolve("cache"), 0).get(pairs.get(0), CARD);
        Path entry =
                dir.resolve("cache").resolve(PreparedCache.key(pairs.get(0), CARD) + ".sample");
        try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2); // as a failing disk might leave it
        }
        PreparedCache cache = new PreparedCache(dir.resolve("cache"), 0);
        TrainingData.Sample s = cache.get(pairs.get(0), CARD);
        assertThat(cache.counters()).containsEntry("prepared", 1L).containsEntry("disk_reads", 0L);
        Floats.assertIdentical(s.image(), TrainingData.prepare(pairs.get(0), CARD).image());
    }

    /**
     * The card's key is the one the cache always had (the same parts hashed), so the entries an
     * earlier version wrote on disk are still found.
     */
    @Test
    void theCardsKeyIsTheOneEarlierVersionsWrote() throws Exception {
        TrainingPair pair = studies(1).get(0);
        Map<String, Object> parts = new TreeMap<>();
        parts.put("format", 0x4d4c5331);
        parts.put("id", pair.imageId());
        for (String name : List.of("image", "label")) {
            Path file = name.equals("image") ? pair.image() : pair.label();
            parts.put(
                    name,
                    file.toAbsolutePath()
                            + ":"
                            + Files.size(file)
                            + ":"
                            + Files.getLastModifiedTime(file).toMillis());
        }
        parts.put("label_info", new TreeMap<>(pair.labelInfo()).toString());
        parts.put("labels", new TreeMap<>(CARD.labels()).toString());
        parts.put("spacing", Arrays.toString(CARD.spacing()));
        parts.put("intensity", CARD.intensity().toString());
        byte[] digest =
                MessageDigest.getInstance("SHA-256")
                        .digest(parts.toString().getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().formatHex(digest, 0, 16);

        assertThat(PreparedCache.key(pair, CARD)).isEqualTo(expected);
        assertThat(new PreparedCache(dir.resolve("cache"), 0).keyOf(pair, CARD))
                .isEqualTo(expected);
    }
}
