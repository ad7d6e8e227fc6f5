package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.testing.TestDatastores;
import org.monailabel.testing.TrainerConfigs;

/** The segmentation trainer's settings: one set of defaults for {@code /info/} and for runs. */
@Tag("engine")
class SegmentationTrainerSettingsTest {
    @TempDir Path dir;

    static final ModelCard CARD =
            new ModelCard(
                    "spleen",
                    0,
                    "unet",
                    new UNetConfig(
                                    1,
                                    2,
                                    new int[] {8, 16, 32},
                                    new int[] {2, 2},
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

    /** A trainer with an app's own defaults, as the template app has. */
    static final class Tuned extends SegmentationTrainer {
        Tuned(Map<String, Object> defaults) {
            super("spleen", "train the spleen", CARD, defaults);
        }
    }

    @Test
    void infoShowsTheBuiltInDefaultsInTheirOrderAndTypes() {
        assertThat(new Tuned(Map.of()).info().config())
                .containsExactly(
                        entry("max_epochs", 50),
                        entry("val_split", 0.2),
                        entry("val_interval", 1),
                        entry("train_batch_size", 2),
                        entry("num_samples", 4),
                        entry("crop_size", 96),
                        entry("flip_prob", 0.0),
                        entry("rotate90", false),
                        entry("learning_rate", 1e-4),
                        entry("lr_schedule", List.of("cosine", "constant")),
                        entry("warmup_iterations", 20),
                        entry("max_train_minutes", 0),
                        entry("early_stop_patience", -1),
                        entry("pretrained", true),
                        entry("seed", 0),
                        entry("keep_versions", 5),
                        entry("cache_memory_mb", TrainSettings.defaultCacheMegabytes()));
    }

    @Test
    void runsUseWhatInfoShows() {
        SegmentationTrainer builtIn = new Tuned(Map.of());
        TrainerConfigs.assertRunsUseInfo(
                builtIn.info().config(), p -> builtIn.settings(p).config());
        SegmentationTrainer tuned =
                new Tuned(
                        Map.of(
                                "crop_size",
                                64,
                                "max_epochs",
                                30,
                                "max_train_minutes",
                                2.5,
                                "lr_schedule",
                                List.of("constant", "cosine"),
                                "early_stop_patience",
                                5));
        TrainerConfigs.assertRunsUseInfo(tuned.info().config(), p -> tuned.settings(p).config());
    }

    @Test
    void anAppsDefaultsAreWhatARunUsesWithoutParams() {
        SegmentationTrainer.Settings s =
                new Tuned(
                                Map.of(
                                        "crop_size",
                                        64,
                                        "max_train_minutes",
                                        2.5,
                                        "lr_schedule",
                                        List.of("constant", "cosine"),
                                        "flip_prob",
                                        0.5))
                        .settings(Params.empty());
        assertThat(s.train().cropSize()).isEqualTo(64);
        assertThat(s.train().maxTrainMinutes()).isEqualTo(2.5);
        assertThat(s.train().lrSchedule()).isEqualTo(LearningRateSchedule.Kind.CONSTANT);
        assertThat(s.flipProb()).isEqualTo(0.5);
        assertThat(s.train().learningRate()).as("not overridden: built in").isEqualTo(1e-4);
        assertThat(s.config()).containsEntry("lr_schedule", List.of("constant", "cosine"));
    }

    /**
     * The run itself follows the app's defaults /info/ shows: epochs, iterations and validation
     * epochs.
     */
    @Test
    void aRunWithoutParamsUsesTheDefaultsInfoShows() throws IOException {
        SegmentationTrainerTest studies = new SegmentationTrainerTest();
        studies.dir = dir;
        try (Datastore datastore = studies.studies(3)) {
            SegmentationTrainer trainer =
                    new Tuned(
                            Map.of(
                                    "max_epochs",
                                    3,
                                    "crop_size",
                                    32,
                                    "val_split",
                                    0.34,
                                    "val_interval",
                                    2,
                                    "num_samples",
                                    3));
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            Map<String, Object> info = trainer.info().config();
            Map<String, Object> result =
                    trainer.train(Params.empty(), new SegmentationTrainerTest.Control());

            assertThat(result).containsEntry("total_epochs", info.get("max_epochs"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> epochs =
                    (List<Map<String, Object>>)
                            ((Map<String, Object>) result.get("train")).get("epochs");
            assertThat(epochs).hasSize(3);
            // 2 training studies (one of 3 kept for validation) x num_samples 3, in batches of
            // train_batch_size 2
            assertThat(epochs).allSatisfy(e -> assertThat(e).containsEntry("iterations", 3));
            // validated every val_interval epochs and after the last
            assertThat(epochs)
                    .extracting(e -> e.containsKey("metric"))
                    .containsExactly(false, true, true);
        }
    }

    @Test
    void anUnknownAppDefaultIsRefused() {
        assertThatThrownBy(() -> new Tuned(Map.of("crop", 64)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Trainer 'spleen': unknown config key 'crop'");
    }

    @Test
    void valuesARunCannotUseAreRaisedOrRefused() throws IOException {
        SegmentationTrainer trainer = new Tuned(Map.of());
        TrainSettings raised =
                trainer.settings(
                                Params.of(
                                        Map.of(
                                                "train_batch_size",
                                                0,
                                                "num_samples",
                                                -1,
                                                "val_interval",
                                                0)))
                        .train();
        assertThat(List.of(raised.batchSize(), raised.numSamples(), raised.valInterval()))
                .containsOnly(1);
        try (LocalDatastore datastore = TestDatastores.create(dir.resolve("studies"))) {
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            for (Map<String, Object> refused :
                    List.<Map<String, Object>>of(
                            Map.of("crop_size", 8),
                            Map.of("train_batch_size", 65),
                            Map.of("max_epochs", 0))) {
                assertThatThrownBy(
                                () ->
                                        trainer.train(
                                                Params.of(refused),
                                                new SegmentationTrainerTest.Control()))
                        .as("%s", refused)
                        .isInstanceOf(InvalidInputException.class)
                        .hasMessageContaining("crop_size must be at least 16");
            }
            assertThatThrownBy(
                            () ->
                                    trainer.train(
                                            Params.of(Map.of("lr_schedule", "step")),
                                            new SegmentationTrainerTest.Control()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("Unknown lr_schedule 'step'");
        }
    }
}
