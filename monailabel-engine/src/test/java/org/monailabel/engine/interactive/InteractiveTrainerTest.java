package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.TestDatastores;

/**
 * A short run of the interactive trainer on tiny phantoms publishes a version its task can load.
 */
@Tag("engine")
class InteractiveTrainerTest {
    @TempDir Path dir;

    static final class Trainer extends InteractiveTrainer {
        Trainer(Kind kind, ModelCard card) {
            super(card.name(), "test", card, kind, Map.of());
        }
    }

    /** Two tiny phantoms with their final labels, in a datastore in {@code dir}. */
    static LocalDatastore phantoms(Path dir) throws IOException {
        LocalDatastore datastore = TestDatastores.create(dir.resolve("studies"));
        List<Map<String, Object>> info = new ArrayList<>();
        PhantomGenerator.LABELS.forEach((n, v) -> info.add(Map.of("name", n, "idx", v)));
        for (int i = 0; i < 2; i++) {
            PhantomGenerator.Phantom p =
                    PhantomGenerator.render(
                            "p" + i,
                            10 + i,
                            new int[] {48, 40, 16},
                            new double[] {8, 8, 18},
                            StorageOrder.RAS);
            Path image = dir.resolve("p" + i + ".nii.gz");
            Path label = dir.resolve("l" + i + ".nii.gz");
            ImageIo.write(p.image(), image, WriteOptions.defaults());
            ImageIo.write(p.label(), label, WriteOptions.defaults());
            datastore.addImage("p" + i, image, "p" + i + ".nii.gz", Map.of());
            datastore.saveLabel(
                    "p" + i,
                    Datastore.FINAL,
                    label,
                    "p" + i + ".nii.gz",
                    Map.of("label_info", info));
        }
        return datastore;
    }

    @ParameterizedTest
    @EnumSource(InteractiveTrainer.Kind.class)
    void trainsWithSimulatedClicksAndPublishesAVersion(InteractiveTrainer.Kind kind)
            throws IOException {
        boolean grow = kind == InteractiveTrainer.Kind.DEEPGROW;
        ModelCard card =
                grow
                        ? InteractiveTaskTest.card("grow", 3, 2, 8, 16)
                        : InteractiveTaskTest.card("edit", 7, 6, 8, 16);
        try (LocalDatastore datastore = phantoms(dir)) {
            Path models = dir.resolve("models");
            Trainer trainer = new Trainer(kind, card);
            trainer.open(new AppContext("test", dir, models, AppConfig.empty(), datastore, "cpu"));
            List<String> log = new ArrayList<>();
            Map<String, Object> params =
                    new LinkedHashMap<>(
                            Map.of(
                                    "max_epochs",
                                    1,
                                    "train_batch_size",
                                    2,
                                    "num_samples",
                                    1,
                                    "crop_size",
                                    16,
                                    "max_rounds",
                                    2,
                                    "auto_probability",
                                    0.5,
                                    "val_split",
                                    0.5));
            Map<String, Object> result =
                    trainer.train(
                            Params.of(params),
                            new JobControl() {
                                @Override
                                public boolean stopRequested() {
                                    return false;
                                }

                                @Override
                                public void log(String line) {
                                    log.add(line);
                                }

                                @Override
                                public void progress(Map<String, Object> stats) {}
                            });
            assertThat(result).containsEntry("version", 2).containsEntry("epoch", 1);
            assertThat((double) result.get("best_metric")).isBetween(0.0, 1.0);
            assertThat(log).anyMatch(l -> l.contains(grow ? "dice_3_clicks" : "dice_automatic"));
            Path folder = models.resolve(card.name());
            assertThat(new ModelVersions(folder, 5).list()).containsExactly(2);
            assertThat(Files.exists(folder.resolve(InteractiveTrainer.STATS_FILE))).isTrue();
            ModelCard published = ModelCard.read(folder.resolve(ModelCard.FILE_NAME));
            assertThat(published.provenance()).containsKeys("simulated_clicks", "best_metric");
            LoadedModel.load(folder.resolve(ModelCard.FILE_NAME), Device.cpu()).close();
        }
    }
}
