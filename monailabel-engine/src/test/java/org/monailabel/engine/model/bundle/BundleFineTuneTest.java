package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Params;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobStatus;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.train.PreparedCache;
import org.monailabel.engine.train.StudyPreprocessing;
import org.monailabel.engine.train.TrainingData;
import org.monailabel.engine.transform.Resample;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.SpleenStudies;

/**
 * A bundle served by the builder is fine-tuned by the trainer of the same name: {@code train} runs
 * its TorchScript (the fixtures' {@code tiny_conv3d}) on the datastore's final labels, every study
 * pre-processed exactly as the bundle's inference chain prepares an image, and publishes version 2,
 * which the bundle's task then serves. The studies are small phantoms (40x36x24 voxels of 9x9x12
 * mm) whose final label is the spleen.
 */
@Tag("engine")
class BundleFineTuneTest {
    @TempDir Path tmp;

    /** The spleen bundle's chain at 6 mm with a 32-voxel window. */
    static final String SPLEEN =
            BundleSpecTest.SPLEEN
                    .replace("[1.5, 1.5, 2.0]", "[6.0, 6.0, 6.0]")
                    .replace("[96, 96, 96]", "[32, 32, 32]");

    /**
     * The fixtures' crop chain at 6 mm: ScaleIntensityRanged 0..200, CropForegroundd (margin 2) and
     * NormalizeIntensityd on the non-zero voxels.
     */
    static String crop() throws IOException {
        return Files.readString(Fixtures.root().resolve("bundle/inference_crop.json"))
                .replace("[2.0, 2.0, 2.0]", "[6.0, 6.0, 6.0]");
    }

    /** A bundle folder on the tiny network (1 channel in, 2 out: background and spleen). */
    static Path bundle(Path root, String name, String inference, Path model) throws IOException {
        Path dir = Files.createDirectories(root.resolve("bundles").resolve(name));
        Files.createDirectories(dir.resolve("configs"));
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("configs/inference.json"), inference);
        Files.writeString(dir.resolve("configs/metadata.json"), BundleSpecTest.METADATA);
        Files.copy(model, dir.resolve("models/model.ts"));
        return dir;
    }

    static Path bundle(Path root, String name, String inference) throws IOException {
        return bundle(root, name, inference, Fixtures.torchscript("tiny_conv3d.pt"));
    }

    /** A server of the bundles on an empty studies folder. */
    static MonaiLabel server(Path root, Path... bundles) throws IOException {
        MonaiLabel.Builder builder =
                MonaiLabel.builder()
                        .studies(Files.createDirectories(root.resolve("studies")), false)
                        .workDir(root.resolve("work"));
        for (Path b : bundles) {
            builder.bundle(b);
        }
        return builder.build();
    }

    /** Adds {@code count} phantoms with their final labels to the server's datastore. */
    static void addStudies(MonaiLabel monaiLabel, Path folder, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            SpleenStudies.add(monaiLabel.datastore(), folder, i);
        }
    }

    /** Trains a bundle through the facade and waits for the job. */
    static Job train(MonaiLabel monaiLabel, String bundle, Map<String, Object> params)
            throws InterruptedException {
        Job job = monaiLabel.train(bundle, params, false);
        assertThat(job.awaitEnd(5, TimeUnit.MINUTES)).as("training finished").isTrue();
        return job;
    }

    /** Few epochs at a high rate, one validation (so one new version) after the last. */
    static final Map<String, Object> QUICK =
            Map.of(
                    "max_epochs",
                    5,
                    "val_interval",
                    5,
                    "learning_rate",
                    1e-2,
                    "train_batch_size",
                    2,
                    "val_split",
                    0.34);

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> epochs(Job job) {
        return (List<Map<String, Object>>)
                ((Map<String, Object>) job.result().orElseThrow().get("train")).get("epochs");
    }

    static void assertLossFell(Job job) {
        List<Map<String, Object>> epochs = epochs(job);
        assertThat(epochs).hasSize(5);
        assertThat((double) epochs.get(epochs.size() - 1).get("loss"))
                .as("%s", job.details())
                .isLessThan((double) epochs.get(0).get("loss"));
    }

    @Test
    void trainingTheBundlesNameFineTunesItAndTheBundleServesTheNewVersion() throws Exception {
        String name = "spleen_ct_segmentation";
        Path spleen = bundle(tmp, name, SPLEEN);
        Path cropped = bundle(tmp, "spleen_crop", crop());
        try (MonaiLabel monaiLabel = server(tmp, spleen, cropped)) {
            addStudies(monaiLabel, tmp.resolve("phantoms"), 3);
            assertThat(monaiLabel.info().trainers()).containsOnlyKeys(name, "spleen_crop");
            byte[] bundled = Files.readAllBytes(spleen.resolve("models/model.ts"));

            Job job = train(monaiLabel, name, QUICK);

            assertThat(job.status()).as("%s", job.details()).isEqualTo(JobStatus.DONE);
            assertLossFell(job);
            assertThat(job.result().orElseThrow()).containsEntry("version", 2);
            assertThat(monaiLabel.models().currentVersion(name)).contains(2);
            ModelCard published =
                    ModelCard.read(
                            monaiLabel.models().weights(name).resolveSibling(ModelCard.FILE_NAME));
            assertThat(published.network()).isEqualTo("torchscript");
            assertThat(published.labels()).isEqualTo(Map.of("background", 0, "spleen", 1));
            assertThat(Files.readAllBytes(monaiLabel.models().weights(name))).isNotEqualTo(bundled);
            assertThat(job.details())
                    .anySatisfy(line -> assertThat(line).contains("fine-tuning v1"));

            try (Inference inference =
                    monaiLabel.infer(InferRequest.ofImage(name, "s1", Map.of()))) {
                assertThat(inference.result().json()).containsEntry("model_version", 2);
                Volume image = ImageIo.read(monaiLabel.datastore().imageFile("s1"));
                Volume label = ImageIo.read(inference.result().file().orElseThrow());
                assertThat(label.shape()).isEqualTo(image.shape());
                assertThat(label.affine().approximatelyEquals(image.affine(), 1e-6)).isTrue();
                for (long i = 0; i < label.voxelCount(); i++) {
                    assertThat(label.get(i)).isIn(0.0, 1.0);
                }
            }

            // the bundle with CropForegroundd and NormalizeIntensityd trains the same way
            Job crop = train(monaiLabel, "spleen_crop", QUICK);
            assertThat(crop.status()).as("%s", crop.details()).isEqualTo(JobStatus.DONE);
            assertLossFell(crop);
            assertThat(monaiLabel.models().currentVersion("spleen_crop")).contains(2);
            assertThat(monaiLabel.models().currentVersion(name)).contains(2);
            try (Inference inference =
                    monaiLabel.infer(InferRequest.ofImage("spleen_crop", "s0", Map.of()))) {
                assertThat(inference.result().json()).containsEntry("model_version", 2);
                Volume image = ImageIo.read(monaiLabel.datastore().imageFile("s0"));
                Volume label = ImageIo.read(inference.result().file().orElseThrow());
                assertThat(label.shape()).isEqualTo(image.shape());
            }
        }
    }

    @Test
    void theTrainerHasTheBundlesLabelsAndDefaultsForFineTuning() throws Exception {
        BundleTrainer trainer =
                new BundleTrainer(new BundleTask(bundle(tmp, "spleen_ct_segmentation", SPLEEN)));
        TrainerInfo info = trainer.info();
        assertThat(info.name()).isEqualTo("spleen_ct_segmentation");
        assertThat(info.labels()).isEqualTo(Map.of("spleen", 1));
        assertThat(info.config())
                .containsEntry("max_epochs", BundleTrainer.MAX_EPOCHS)
                .containsEntry("learning_rate", BundleTrainer.LEARNING_RATE)
                .containsEntry("crop_size", 32)
                .containsEntry("val_interval", 1)
                .containsEntry("pretrained", true);
        assertThat(
                        trainer.settings(Params.of(Map.of("max_epochs", 3, "learning_rate", 0.5)))
                                .train())
                .satisfies(
                        t -> {
                            assertThat(t.maxEpochs()).isEqualTo(3);
                            assertThat(t.learningRate()).isEqualTo(0.5);
                        });
    }

    /**
     * What the trainer trains on is what {@link BundlePipeline#prepare} gives the network at
     * inference: the same grid, affine and values; the label lands on that grid with nearest
     * neighbours. Checked for the spleen chain and for one with CropForegroundd and
     * NormalizeIntensityd.
     */
    @Test
    void studiesArePreProcessedExactlyAsTheBundlesInferenceChain() throws Exception {
        TrainingPair study = SpleenStudies.write(tmp.resolve("phantoms"), 1);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String chain : List.of(SPLEEN, crop())) {
            String name = chain.equals(SPLEEN) ? "spleen" : "crop";
            BundleTask task = new BundleTask(bundle(tmp, name, chain));
            BundleTrainer trainer = new BundleTrainer(task);
            ModelCard card = task.firstCard();

            TrainingData.Sample sample = TrainingData.prepare(study, card, trainer.preprocessing());

            Volume image = ImageIo.read(study.image());
            BundlePipeline.Prepared prepared = BundlePipeline.prepare(image, task.spec());
            assertThat(sample.shape()).isEqualTo(prepared.grid().shape());
            assertThat(sample.affine()).isEqualTo(prepared.grid().affine());
            assertThat(sample.image()).containsExactly(prepared.input().data());
            float[] expected =
                    DenseArray.fromVolume(
                                    Resample.resampleLabels(
                                            ImageIo.read(study.label()).withAffine(image.affine()),
                                            prepared.grid()))
                            .data();
            assertThat(sample.label()).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat((float) sample.label()[i])
                        .as("label voxel %d", i)
                        .isEqualTo(expected[i]);
            }
            assertThat(sample.label()).contains((byte) 1);
            keys.put(name, PreparedCache.key(study, card, trainer.preprocessing()));
            if (name.equals("crop")) {
                assertThat(prepared.cropStart()).isNotNull();
                assertThat(sample.shape()).isNotEqualTo(prepared.resampled().shape());
            }
        }
        // the cache key says which chain: another chain, a changed setting or the card's own
        // pre-processing never reads the other's entries
        ModelCard card = new BundleTask(tmp.resolve("bundles/spleen")).firstCard();
        assertThat(keys.get("spleen"))
                .isNotEqualTo(keys.get("crop"))
                .isNotEqualTo(PreparedCache.key(study, card))
                .isNotEqualTo(
                        PreparedCache.key(
                                study,
                                card,
                                new BundleTrainer(
                                                new BundleTask(
                                                        bundle(
                                                                tmp,
                                                                "spleen_5mm",
                                                                SPLEEN.replace(
                                                                        "[6.0, 6.0, 6.0]",
                                                                        "[5.0, 6.0, 6.0]"))))
                                        .preprocessing()));
        assertThat(keys.get("crop"))
                .isNotEqualTo(
                        PreparedCache.key(
                                study,
                                card,
                                new BundleTrainer(
                                                new BundleTask(
                                                        bundle(
                                                                tmp,
                                                                "crop_margin",
                                                                crop().replace(
                                                                                "\"margin\": 2",
                                                                                "\"margin\": 3"))))
                                        .preprocessing()));
        // and the same chain read again gives the same key (a later run reuses the cache)
        assertThat(
                        PreparedCache.key(
                                study,
                                card,
                                new BundleTrainer(new BundleTask(tmp.resolve("bundles/spleen")))
                                        .preprocessing()))
                .isEqualTo(keys.get("spleen"));
        assertThat(StudyPreprocessing.ofCard().labels(card)).isEqualTo(card.labels());
    }

    @Test
    void aBundleIsFineTunedNotTrainedFromScratch() throws Exception {
        String name = "spleen_ct_segmentation";
        try (MonaiLabel monaiLabel = server(tmp, bundle(tmp, name, SPLEEN))) {
            addStudies(monaiLabel, tmp.resolve("phantoms"), 2);
            Job job = train(monaiLabel, name, Map.of("pretrained", false, "max_epochs", 1));
            assertThat(job.status()).isEqualTo(JobStatus.ERROR);
            assertThat(job.details())
                    .anySatisfy(
                            line ->
                                    assertThat(line)
                                            .contains(
                                                    "is a TorchScript model: it can be fine-tuned"
                                                            + " from its published weights"
                                                            + " (pretrained=true), not trained"
                                                            + " from scratch"));
            assertThat(monaiLabel.models().currentVersion(name)).contains(1);
        }
    }
}
