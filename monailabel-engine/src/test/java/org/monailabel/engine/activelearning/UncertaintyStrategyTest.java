package org.monailabel.engine.activelearning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.testing.TestDatastores;

/** The score-ranked strategies on a real datastore whose image info holds scores. */
class UncertaintyStrategyTest {
    @TempDir Path dir;

    LocalDatastore studies(Map<String, Double> scores, String key) throws IOException {
        LocalDatastore datastore =
                TestDatastores.withImages(dir.resolve("studies"), "a", "b", "c", "d");
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            datastore.updateImageInfo(e.getKey(), Map.of(key, e.getValue()));
        }
        return datastore;
    }

    void label(Datastore datastore, String id) throws IOException {
        Path file = Files.writeString(dir.resolve(id + "-label.nii.gz"), "stand-in label");
        datastore.saveLabel(id, Datastore.FINAL, file, file.getFileName().toString(), Map.of());
    }

    @Test
    void picksTheHighestScoredImageWithoutAFinalLabel() throws IOException {
        try (LocalDatastore datastore =
                studies(Map.of("a", 0.2, "b", 0.9, "c", 0.5, "d", 0.7), "epistemic_entropy")) {
            label(datastore, "b"); // the highest score, but labeled
            Sample sample = new EpistemicStrategy().next(datastore, Params.empty()).orElseThrow();
            assertThat(sample.imageId()).isEqualTo("d");
            assertThat(sample.weight()).isEqualTo(0.7);
        }
    }

    @Test
    void anImageHandedOutRecentlyWaitsForTheOthers() throws IOException {
        try (LocalDatastore datastore =
                studies(Map.of("a", 0.2, "b", 0.9, "c", 0.5, "d", 0.7), "epistemic_entropy")) {
            EpistemicStrategy strategy = new EpistemicStrategy();
            for (String expected : new String[] {"b", "d", "c", "a"}) {
                String id = strategy.next(datastore, Params.empty()).orElseThrow().imageId();
                assertThat(id).isEqualTo(expected);
                datastore.recordSampleHandout(id, strategy.name(), "annotator");
            }
            assertThat(strategy.next(datastore, Params.empty()))
                    .isPresent(); // all handed out: still an answer
        }
    }

    @Test
    void unscoredImagesComeAfterScoredOnesAndAreChosenAtRandomWhenNoneIsScored()
            throws IOException {
        try (LocalDatastore datastore = studies(Map.of("c", 0.01), "tta_vvc")) {
            TtaStrategy strategy = new TtaStrategy();
            assertThat(strategy.next(datastore, Params.empty()).orElseThrow().imageId())
                    .isEqualTo("c");
            label(datastore, "c");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 60; i++) {
                Sample s = strategy.next(datastore, Params.empty()).orElseThrow();
                assertThat(s.weight()).isZero();
                seen.add(s.imageId());
            }
            assertThat(seen).containsExactlyInAnyOrder("a", "b", "d");
        }
    }

    @Test
    void eachStrategyReadsItsOwnKeyAndNothingIsLeftWhenAllAreLabeled() throws IOException {
        try (LocalDatastore datastore = studies(Map.of("a", 0.9), "epistemic_entropy")) {
            datastore.updateImageInfo("b", Map.of("tta_vvc", 0.3));
            assertThat(
                            new EpistemicStrategy()
                                    .next(datastore, Params.empty())
                                    .orElseThrow()
                                    .imageId())
                    .isEqualTo("a");
            assertThat(new TtaStrategy().next(datastore, Params.empty()).orElseThrow().imageId())
                    .isEqualTo("b");
            for (String id : datastore.imageIds()) {
                label(datastore, id);
            }
            assertThat(new EpistemicStrategy().next(datastore, Params.empty())).isEmpty();
        }
    }
}
