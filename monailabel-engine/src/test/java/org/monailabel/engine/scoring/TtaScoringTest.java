package org.monailabel.engine.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.engine.activelearning.TtaStrategy;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.scoring.ScoringFixtures.Control;

/** Test-time flip scoring of tiny phantoms with a tiny untrained UNet. */
@Tag("engine")
class TtaScoringTest {
    @TempDir Path dir;

    @Test
    void flipsMirrorEachAxisAndUndoThemselves() {
        int[] shape = {2, 3, 4, 5};
        float[] data = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        DenseArray a = new DenseArray(shape, data);
        DenseArray x = TtaScoring.flip(a, new boolean[] {true, false, false});
        // (c=1, x=0, y=2, z=3) lands at (c=1, x=2, y=2, z=3)
        assertThat(x.data()[60 + (2 * 4 + 2) * 5 + 3]).isEqualTo(data[60 + (0 * 4 + 2) * 5 + 3]);
        DenseArray z = TtaScoring.flip(a, new boolean[] {false, false, true});
        assertThat(z.data()[(1 * 4 + 3) * 5]).isEqualTo(data[(1 * 4 + 3) * 5 + 4]);
        for (boolean[] axes :
                new boolean[][] {{true, true, true}, {false, true, false}, {true, false, true}}) {
            DenseArray f = TtaScoring.flip(a, axes);
            assertThat(f).isNotEqualTo(a);
            assertThat(TtaScoring.flip(f, axes)).isEqualTo(a);
        }
    }

    @Test
    void flippedPredictionsDisagreeAndTheScoresLandInTheImageInfo() throws IOException {
        ScoringFixtures.publish(dir.resolve("models"), 0, 1); // no dropout: TTA needs none
        try (Datastore datastore = ScoringFixtures.studies(dir, 2)) {
            ScoringFixtures.Tta scoring = new ScoringFixtures.Tta();
            scoring.open(ScoringFixtures.context(dir, datastore));
            assertThat(scoring.info().name()).isEqualTo("seg_tta");
            Control control = new Control();
            Map<String, Object> summary =
                    scoring.score(datastore, Params.of(Map.of("num_samples", 4)), control);
            assertThat(summary).containsEntry("executed", 2);
            for (String id : new String[] {"p0", "p1"}) {
                Map<String, Object> info = datastore.imageInfo(id);
                assertThat((double) info.get("tta_variance")).as("variance of %s", id).isPositive();
                assertThat((double) info.get("tta_vvc")).isNotNegative().isFinite();
                assertThat(info)
                        .containsEntry("tta_version", 1L)
                        .containsKeys("tta_ts", "tta_entropy");
                assertThat(info).doesNotContainKey("epistemic_entropy");
            }
            assertThat(scoring.score(datastore, Params.empty(), control))
                    .containsEntry("skipped", 2);
            String best =
                    (double) datastore.imageInfo("p0").get("tta_vvc")
                                    >= (double) datastore.imageInfo("p1").get("tta_vvc")
                            ? "p0"
                            : "p1";
            assertThat(new TtaStrategy().next(datastore, Params.empty()).orElseThrow().imageId())
                    .isEqualTo(best);
        }
    }
}
