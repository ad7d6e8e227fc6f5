package org.monailabel.engine.interactive;

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
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.train.TrainSettings;
import org.monailabel.testing.TrainerConfigs;

/** The interactive trainer's settings: one set of defaults for {@code /info/} and for runs. */
@Tag("engine")
class InteractiveTrainerSettingsTest {
    @TempDir Path dir;

    static final ModelCard EDIT = InteractiveTaskTest.card("edit", 7, 6, 8, 16);

    static final class Trainer extends InteractiveTrainer {
        Trainer(Kind kind, Map<String, Object> defaults) {
            super(EDIT.name(), "test", EDIT, kind, defaults);
        }
    }

    static final JobControl QUIET =
            new JobControl() {
                @Override
                public boolean stopRequested() {
                    return false;
                }

                @Override
                public void log(String line) {}

                @Override
                public void progress(Map<String, Object> stats) {}
            };

    @Test
    void infoShowsTheBuiltInDefaultsInTheirOrderAndTypes() {
        assertThat(new Trainer(InteractiveTrainer.Kind.DEEPEDIT, Map.of()).info().config())
                .containsExactly(
                        entry("max_epochs", 50),
                        entry("val_split", 0.2),
                        entry("val_interval", 1),
                        entry("train_batch_size", 4),
                        entry("num_samples", 4),
                        entry("crop_size", 80),
                        entry("max_rounds", 4),
                        entry("auto_probability", 0.3),
                        entry("jitter", 4),
                        entry("val_clicks", 3),
                        entry("learning_rate", 1e-3),
                        entry("lr_schedule", List.of("cosine", "constant")),
                        entry("warmup_iterations", 20),
                        entry("max_train_minutes", 0),
                        entry("pretrained", true),
                        entry("seed", 0),
                        entry("keep_versions", 5),
                        entry("cache_memory_mb", TrainSettings.defaultCacheMegabytes()));
    }

    @Test
    void runsUseWhatInfoShows() {
        InteractiveTrainer builtIn = new Trainer(InteractiveTrainer.Kind.DEEPGROW, Map.of());
        TrainerConfigs.assertRunsUseInfo(
                builtIn.info().config(), p -> builtIn.settings(p).config());
        InteractiveTrainer tuned =
                new Trainer(
                        InteractiveTrainer.Kind.DEEPEDIT,
                        Map.of(
                                "train_batch_size",
                                2,
                                "crop_size",
                                80,
                                "learning_rate",
                                2e-3,
                                "max_rounds",
                                2,
                                "auto_probability",
                                0.33,
                                "max_epochs",
                                40));
        TrainerConfigs.assertRunsUseInfo(tuned.info().config(), p -> tuned.settings(p).config());
        InteractiveTrainer.Settings s = tuned.settings(Params.empty());
        assertThat(List.of(s.train().batchSize(), s.train().maxEpochs(), s.maxRounds()))
                .containsExactly(2, 40, 2);
        assertThat(s.autoProbability()).isEqualTo(0.33);
    }

    @Test
    void anUnknownAppDefaultIsRefused() {
        assertThatThrownBy(
                        () ->
                                new Trainer(
                                        InteractiveTrainer.Kind.DEEPGROW, Map.of("flip_prob", 0.5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Trainer 'edit': unknown config key 'flip_prob'");
    }

    @Test
    void valuesARunCannotUseAreRaisedOrRefused() throws IOException {
        InteractiveTrainer trainer = new Trainer(InteractiveTrainer.Kind.DEEPEDIT, Map.of());
        InteractiveTrainer.Settings raised =
                trainer.settings(
                        Params.of(
                                Map.of(
                                        "max_rounds",
                                        -1,
                                        "jitter",
                                        -2,
                                        "val_clicks",
                                        0,
                                        "train_batch_size",
                                        0)));
        assertThat(
                        List.of(
                                raised.maxRounds(),
                                raised.jitter(),
                                raised.valClicks(),
                                raised.train().batchSize()))
                .containsExactly(0, 0, 1, 1);
        try (LocalDatastore datastore = InteractiveTrainerTest.phantoms(dir)) {
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            assertThatThrownBy(
                            () -> trainer.train(Params.of(Map.of("train_batch_size", 65)), QUIET))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("train_batch_size must be at most 64");
            assertThatThrownBy(() -> trainer.train(Params.of(Map.of("crop_size", 12)), QUIET))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("Crop sizes must be at least 16");
        }
    }

    /**
     * The run itself follows the app's defaults /info/ shows: epochs, iterations and validation
     * epochs.
     */
    @Test
    void aRunWithoutParamsUsesTheDefaultsInfoShows() throws IOException {
        try (LocalDatastore datastore = InteractiveTrainerTest.phantoms(dir)) {
            InteractiveTrainer trainer =
                    new Trainer(
                            InteractiveTrainer.Kind.DEEPEDIT,
                            Map.of(
                                    "max_epochs",
                                    3,
                                    "train_batch_size",
                                    2,
                                    "num_samples",
                                    5,
                                    "crop_size",
                                    16,
                                    "max_rounds",
                                    1,
                                    "val_split",
                                    0.5,
                                    "val_interval",
                                    2));
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            Map<String, Object> result = trainer.train(Params.empty(), QUIET);

            assertThat(result)
                    .containsEntry("total_epochs", trainer.info().config().get("max_epochs"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> epochs =
                    (List<Map<String, Object>>)
                            ((Map<String, Object>) result.get("train")).get("epochs");
            assertThat(epochs).hasSize(3);
            // 1 training study (the other validates) x num_samples 5, in batches of
            // train_batch_size 2
            assertThat(epochs).allSatisfy(e -> assertThat(e).containsEntry("iterations", 3));
            // validated every val_interval epochs and after the last
            assertThat(epochs)
                    .extracting(e -> e.containsKey("metric"))
                    .containsExactly(false, true, true);
        }
    }
}
