package org.monailabel.engine.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.error.ConflictException;
import org.monailabel.engine.activelearning.EpistemicStrategy;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.scoring.ScoringFixtures.Control;
import org.monailabel.engine.segmentation.SegmentationTask;
import org.monailabel.testing.Poll;

/** Monte-Carlo dropout scoring of tiny phantoms with a tiny untrained UNet. */
@Tag("engine")
class EpistemicScoringTest {
    @TempDir Path dir;

    Map<String, Object> score(Datastore datastore, Map<String, Object> params, Control control)
            throws IOException {
        ScoringFixtures.Epistemic scoring = new ScoringFixtures.Epistemic();
        scoring.open(ScoringFixtures.context(dir, datastore));
        try {
            return scoring.score(datastore, Params.of(params), control);
        } finally {
            scoring.close();
        }
    }

    @Test
    void dropoutPassesDisagreeAndTheScoresLandInTheImageInfoOfUnlabeledImages() throws IOException {
        ScoringFixtures.publish(dir.resolve("models"), 0.3, 1);
        try (Datastore datastore = ScoringFixtures.studies(dir, 3)) {
            Path label =
                    datastore.imageFile(
                            "p1"); // a real NIfTI file; scoring only asks whether a label exists
            datastore.saveLabel("p1", Datastore.FINAL, label, "p1.nii.gz", Map.of());
            Control control = new Control();
            Map<String, Object> summary = score(datastore, Map.of(), control);

            assertThat(summary)
                    .containsEntry("total", 2)
                    .containsEntry("executed", 2)
                    .containsEntry("skipped", 0)
                    .containsEntry("stopped", false)
                    .containsEntry("model_version", 1L);
            for (String id : new String[] {"p0", "p2"}) {
                Map<String, Object> info = datastore.imageInfo(id);
                assertThat((double) info.get("epistemic_variance"))
                        .as("variance of %s", id)
                        .isPositive();
                assertThat((double) info.get("epistemic_entropy"))
                        .isPositive()
                        .isLessThan(2 * Math.log(2) + 1e-9);
                assertThat(info)
                        .containsEntry("epistemic_version", 1L)
                        .containsKey("epistemic_ts")
                        .containsKey("epistemic_vvc");
            }
            assertThat(datastore.imageInfo("p1")).doesNotContainKey("epistemic_entropy");
            assertThat(control.progress.get(0))
                    .containsEntry("total", 2)
                    .containsEntry("done", 0)
                    .containsEntry("current", "p0");
            assertThat(control.done()).isEqualTo(2);
            assertThat(control.lines).anyMatch(l -> l.contains("p2 => epistemic_entropy"));

            String best =
                    (double) datastore.imageInfo("p0").get("epistemic_entropy")
                                    > (double) datastore.imageInfo("p2").get("epistemic_entropy")
                            ? "p0"
                            : "p2";
            assertThat(
                            new EpistemicStrategy()
                                    .next(datastore, Params.empty())
                                    .orElseThrow()
                                    .imageId())
                    .isEqualTo(best);
        }
    }

    @Test
    void withoutDropoutThePassesAgreeExactly() throws IOException {
        ScoringFixtures.publish(dir.resolve("models"), 0, 1);
        try (Datastore datastore = ScoringFixtures.studies(dir, 1)) {
            Control control = new Control();
            score(datastore, Map.of("simulation_size", 3), control);
            Map<String, Object> info = datastore.imageInfo("p0");
            assertThat(info)
                    .containsEntry("epistemic_variance", 0.0)
                    .containsEntry("epistemic_vvc", 0.0);
            assertThat((double) info.get("epistemic_entropy")).isPositive();
            assertThat(control.lines).anyMatch(l -> l.contains("has no dropout"));
        }
    }

    @Test
    void rescoresOnlyWhenTheModelVersionChanges() throws IOException {
        ModelCard card = ScoringFixtures.publish(dir.resolve("models"), 0.3, 1);
        try (Datastore datastore = ScoringFixtures.studies(dir, 2)) {
            score(datastore, Map.of(), new Control());
            Map<String, Object> first = datastore.imageInfo("p0");

            Map<String, Object> again = score(datastore, Map.of(), new Control());
            assertThat(again).containsEntry("skipped", 2).containsEntry("executed", 0);
            assertThat(datastore.imageInfo("p0")).isEqualTo(first);

            assertThat(score(datastore, Map.of("rescore", true, "max_samples", 1), new Control()))
                    .containsEntry("executed", 1);

            Path cardFile = dir.resolve("models/seg/model.json");
            card.withVersion(2, Map.of())
                    .write(cardFile); // a newly published version (same weights)
            Files.setLastModifiedTime(
                    cardFile, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            Map<String, Object> after = score(datastore, Map.of(), new Control());
            assertThat(after).containsEntry("executed", 2).containsEntry("model_version", 2L);
            assertThat(datastore.imageInfo("p0")).containsEntry("epistemic_version", 2L);
        }
    }

    @Test
    void stopsWithinOneImage() throws IOException {
        ScoringFixtures.publish(dir.resolve("models"), 0.3, 1);
        try (Datastore datastore = ScoringFixtures.studies(dir, 3)) {
            Control control = new Control();
            AtomicInteger asked = new AtomicInteger();
            // asked once before each image and between its passes: the 7th time is after p1's first
            // pass
            control.stopWhen = c -> asked.incrementAndGet() >= 7;
            Map<String, Object> summary = score(datastore, Map.of("simulation_size", 5), control);
            assertThat(asked).hasValue(7);
            assertThat(summary).containsEntry("stopped", true).containsEntry("executed", 1);
            assertThat(datastore.imageInfo("p0")).containsKey("epistemic_entropy");
            assertThat(datastore.imageInfo("p1")).doesNotContainKey("epistemic_entropy");
            assertThat(datastore.imageInfo("p2")).doesNotContainKey("epistemic_entropy");

            Control stopped = new Control();
            stopped.stopWhen = c -> true;
            assertThat(score(datastore, Map.of(), stopped))
                    .containsEntry("stopped", true)
                    .containsEntry("executed", 0);
        }
    }

    @Test
    void anInferenceRequestCompletesWhileScoringRuns() throws Exception {
        ScoringFixtures.publish(dir.resolve("models"), 0.3, 1);
        try (Datastore datastore = ScoringFixtures.studies(dir, 3)) {
            SegmentationTask task =
                    new SegmentationTask(ScoringFixtures.MODEL, "served", Map.of("liver", 1)) {};
            task.open(ScoringFixtures.context(dir, datastore));
            ExecutorService job = Executors.newSingleThreadExecutor();
            try {
                Control control = new Control();
                Future<Map<String, Object>> scoring =
                        job.submit(() -> score(datastore, Map.of("simulation_size", 50), control));
                Poll.until(
                        "scoring to start on an image",
                        Duration.ofSeconds(60),
                        () -> !control.progress.isEmpty());

                Path work = Files.createTempDirectory(dir, "work");
                InferenceResult result =
                        task.infer(
                                new InferenceRequest(
                                        ScoringFixtures.MODEL,
                                        datastore.imageFile("p1"),
                                        Optional.empty(),
                                        Params.empty(),
                                        Optional.empty(),
                                        work));

                assertThat(result.file()).isPresent();
                assertThat(scoring.isDone())
                        .as("inference waited for the whole scoring run")
                        .isFalse();
                control.stopWhen = c -> true;
                Map<String, Object> summary = scoring.get(60, TimeUnit.SECONDS);
                assertThat(summary).containsEntry("stopped", true);
                assertThat((int) summary.get("executed")).isLessThan(3);
            } finally {
                job.shutdownNow();
                task.close();
            }
        }
    }

    @Test
    void anImageThatCannotBeReadIsReportedAndTheOthersAreScored() throws IOException {
        ScoringFixtures.publish(dir.resolve("models"), 0.3, 1);
        try (LocalDatastore datastore = ScoringFixtures.studies(dir, 1)) {
            // copied into the folder: addImage would refuse it
            Files.writeString(
                    datastore.imageFile("p0").resolveSibling("a_bad.nii.gz"), "not an image");
            datastore.reconcile();
            assertThat(datastore.hasImage("a_bad")).isTrue();
            Control control = new Control();
            Map<String, Object> summary = score(datastore, Map.of("simulation_size", 2), control);
            assertThat(summary).containsEntry("failed", 1).containsEntry("executed", 1);
            assertThat(control.lines)
                    .anyMatch(l -> l.contains("image 'a_bad' could not be scored"));
            assertThat(datastore.imageInfo("p0")).containsKey("epistemic_entropy");
        }
    }

    @Test
    void aModelWithoutWeightsIsAClearError() throws IOException {
        try (Datastore datastore = ScoringFixtures.studies(dir, 1)) {
            assertThatThrownBy(() -> score(datastore, Map.of(), new Control()))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("Model 'seg' has no trained weights");
        }
    }
}
