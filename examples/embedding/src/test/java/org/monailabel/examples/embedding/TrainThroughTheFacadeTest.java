package org.monailabel.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.JobKind;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobStatus;

/**
 * A program that runs the whole annotation loop through {@link MonaiLabel}, the application layer
 * the HTTP server is built on: submit labels, train the template app's segmentation model in the
 * background, segment with the version it published, which is served at once, and roll back.
 */
class TrainThroughTheFacadeTest {
    @TempDir Path tmp;

    @Test
    void trainsTheTemplateModelAndServesTheNewVersion() throws Exception {
        Path studies = tmp.resolve("studies");
        List<String> ids = MonaiLabel.generateSampleStudies(studies, 3, 7);

        try (MonaiLabel monaiLabel =
                MonaiLabel.builder()
                        .studies(studies, false) // opened and closed by MonaiLabel
                        .classpathApps(true) // the template app is a dependency of this program
                        .workDir(tmp.resolve("work"))
                        .build()) {
            Datastore datastore = monaiLabel.datastore();
            // two corrected labels (here the phantoms' ground truth) make a training set
            for (String id : ids.subList(0, 2)) {
                Path truth =
                        studies.resolve(MonaiLabel.SAMPLE_GROUND_TRUTH).resolve(id + ".nii.gz");
                datastore.saveLabel(id, Datastore.FINAL, truth, id + ".nii.gz", Map.of());
            }
            int before = version(monaiLabel, ids.get(2)); // the template app ships a first version

            Job training =
                    monaiLabel.train(
                            "segmentation",
                            Map.of(
                                    "max_epochs",
                                    1,
                                    "crop_size",
                                    32,
                                    "train_batch_size",
                                    2,
                                    "num_samples",
                                    1,
                                    "val_split",
                                    0.5),
                            false);
            assertThat(training.awaitEnd(5, TimeUnit.MINUTES)).isTrue();

            assertThat(training.status())
                    .as(String.join("\n", training.details()))
                    .isEqualTo(JobStatus.DONE);
            assertThat(monaiLabel.latest(JobKind.TRAIN)).contains(training);
            assertThat(monaiLabel.models().currentVersion("segmentation")).contains(before + 1);
            assertThat(version(monaiLabel, ids.get(2))).isEqualTo(before + 1);
            assertThat(monaiLabel.trainStats("segmentation")).isNotEmpty();

            // the bundled version is kept: serving it again takes effect at the next request
            assertThat(monaiLabel.models().versions("segmentation"))
                    .containsExactly(before, before + 1);
            monaiLabel.models().rollback("segmentation", before);
            assertThat(version(monaiLabel, ids.get(2))).isEqualTo(before);
        }
    }

    /** Segments an image and returns the model version that did it; the label is saved as asked. */
    private static int version(MonaiLabel monaiLabel, String id) throws Exception {
        try (Inference inference =
                monaiLabel.infer(
                        InferRequest.ofImage(
                                "segmentation",
                                id,
                                Map.of("save_label", true, "label_tag", "suggested")))) {
            assertThat(inference.result().file())
                    .hasValueSatisfying(f -> assertThat(f).isRegularFile());
            assertThat(inference.savedLabel()).isPresent();
            assertThat(monaiLabel.datastore().labelFile(id, "suggested")).isPresent();
            Path work = inference.workDir();
            assertThat(work).isDirectory();
            return ((Number) inference.result().json().get("model_version")).intValue();
        }
    }
}
