package org.monailabel.engine.activelearning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.engine.datastore.CompositeDatastore;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.testing.TestDatastores;

/**
 * The engine's {@code first}, {@code last} and {@code random} strategies on real datastores: which
 * image each picks, that labeled images are never picked, and that random prefers the images not
 * handed out recently, by the weights MONAI Label uses.
 */
class BasicStrategiesTest {
    @TempDir Path tmp;
    private LocalDatastore nifti;
    private LocalDatastore more;
    private Datastore datastore;

    @BeforeEach
    void setUp() throws IOException {
        // two parts listed one after the other: ids not in string order overall
        nifti = TestDatastores.withImages(tmp.resolve("a"), "spleen_20", "spleen_99");
        more = TestDatastores.withImages(tmp.resolve("b"), "liver_07", "spleen_03", "kidney_01");
        datastore = new CompositeDatastore(List.of(nifti, more));
    }

    @AfterEach
    void tearDown() {
        nifti.close();
        more.close();
    }

    private void label(String id) throws IOException {
        Path file = Files.writeString(tmp.resolve("label-" + id + ".nii.gz"), "stand-in label");
        datastore.saveLabel(id, Datastore.FINAL, file, "label.nii.gz", Map.of());
    }

    @Test
    void firstAndLastPickTheSmallestAndLargestUnlabeledIdWhateverTheListingOrder()
            throws IOException {
        // listed in neither string order: naive first/last would pick spleen_20/spleen_03
        assertThat(datastore.imageIds())
                .containsExactly("spleen_20", "spleen_99", "kidney_01", "liver_07", "spleen_03")
                .isNotEqualTo(datastore.imageIds().stream().sorted().toList());
        assertThat(new FirstStrategy().next(datastore, Params.empty()))
                .contains(new Sample("kidney_01", 1));
        assertThat(new LastStrategy().next(datastore, Params.empty()))
                .contains(new Sample("spleen_99", 1));

        label("kidney_01");
        label("spleen_99");
        assertThat(new FirstStrategy().next(datastore, Params.empty()).map(Sample::imageId))
                .contains("liver_07");
        assertThat(new LastStrategy().next(datastore, Params.empty()).map(Sample::imageId))
                .contains("spleen_20");

        for (String id : List.of("liver_07", "spleen_20", "spleen_03")) {
            label(id);
        }
        assertThat(new FirstStrategy().next(datastore, Params.empty())).isEmpty();
        assertThat(new LastStrategy().next(datastore, Params.empty())).isEmpty();
        assertThat(new RandomStrategy().next(datastore, Params.empty())).isEmpty();
    }

    @Test
    void randomWeighsEachUnlabeledImageBySecondsSinceItWasLastHandedOut() throws IOException {
        Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 1000);
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        label("spleen_99");
        // recorded now (real clock): 1000 s before the strategy's clock
        datastore.recordSampleHandout("kidney_01", "random", "a");
        datastore.recordSampleHandout("liver_07", "other", "a"); // another strategy's: ignored
        long kidney = datastore.lastHandouts("random").get("kidney_01");

        Map<String, Integer> picks = new HashMap<>();
        Map<String, Double> weights = new HashMap<>();
        SplittableRandom seeds = new SplittableRandom(20261204);
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            Random rng = new Random(seeds.nextLong());
            Optional<Sample> sample =
                    new RandomStrategy(clock, () -> rng).next(datastore, Params.empty());
            assertThat(sample).isPresent();
            picks.merge(sample.get().imageId(), 1, Integer::sum);
            weights.put(sample.get().imageId(), sample.get().weight());
        }
        assertThat(picks).doesNotContainKey("spleen_99");
        long epoch = now.getEpochSecond();
        assertThat(weights.get("spleen_03")).isEqualTo((double) epoch);
        assertThat(weights.get("liver_07")).isEqualTo((double) epoch);
        // kidney_01's weight is about 1000 against about 1.8e9 for the others: practically never
        assertThat(picks.getOrDefault("kidney_01", 0)).isLessThanOrEqualTo(1);
        if (weights.containsKey("kidney_01")) {
            assertThat(weights.get("kidney_01")).isEqualTo((double) (epoch - kidney));
        }
        // the four images never handed out by random share the draws evenly (binomial, 5 sigma)
        for (String id : List.of("spleen_20", "spleen_03", "liver_07")) {
            double expected = draws / 3.0;
            assertThat((double) picks.getOrDefault(id, 0))
                    .as("draws of %s in %s", id, picks)
                    .isBetween(
                            expected - 5 * Math.sqrt(expected), expected + 5 * Math.sqrt(expected));
        }
    }

    /** Records a hand-out by random at this epoch second, as the datastore keeps it. */
    private void handedOutAt(String id, long epochSecond) throws IOException {
        datastore.updateImageInfo(
                id,
                Map.of("strategy", Map.of("random", Map.of("ts", epochSecond, "client_id", "a"))));
    }

    @Test
    void randomPrefersTheImageHandedOutLongestAgo() throws IOException {
        label("spleen_99");
        label("liver_07");
        label("spleen_20");
        long now = 1_800_000_000L;
        handedOutAt("kidney_01", now - 10);
        handedOutAt("spleen_03", now - 990);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
        Random rng = new Random(7);
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            Sample s =
                    new RandomStrategy(clock, () -> rng)
                            .next(datastore, Params.empty())
                            .orElseThrow();
            assertThat(s.weight()).isEqualTo(s.imageId().equals("kidney_01") ? 10.0 : 990.0);
            picks.merge(s.imageId(), 1, Integer::sum);
        }
        // weights 10 : 990, so about 20 of 2000 draws for kidney_01
        assertThat(picks.getOrDefault("kidney_01", 0)).as("%s", picks).isBetween(3, 45);
        assertThat(picks.get("spleen_03")).isGreaterThan(1950);
    }

    @Test
    void randomFallsBackToAUniformChoiceWhenEveryCandidateWasJustHandedOut() throws IOException {
        long now = 1_800_000_000L;
        for (String id : datastore.imageIds()) {
            handedOutAt(id, now);
        }
        label("spleen_99"); // not a candidate
        Clock same = Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
        Map<String, Integer> picks = new HashMap<>();
        Random rng = new Random(11);
        for (int i = 0; i < 2000; i++) {
            Sample s =
                    new RandomStrategy(same, () -> rng)
                            .next(datastore, Params.empty())
                            .orElseThrow();
            assertThat(s.weight()).isZero();
            picks.merge(s.imageId(), 1, Integer::sum);
        }
        assertThat(picks).containsOnlyKeys("spleen_20", "spleen_03", "liver_07", "kidney_01");
        picks.values().forEach(n -> assertThat(n).as("%s", picks).isBetween(400, 600));
    }
}
