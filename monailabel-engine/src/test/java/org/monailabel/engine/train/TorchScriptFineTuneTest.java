package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
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
import org.monailabel.api.error.TrainingFailedException;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.testing.Fixtures;

/**
 * DJL's PyTorch engine trains a loaded TorchScript module: the fixture's two-layer network
 * (exported by torch.jit.script) is fine-tuned on the spleen of tiny phantoms and published as
 * TorchScript again, loadable like any imported model.
 */
@Tag("engine")
class TorchScriptFineTuneTest {
    @TempDir Path dir;

    static final ModelCard CARD =
            new ModelCard(
                    "spleen_ts",
                    1,
                    "torchscript",
                    Map.of(),
                    "model.pt",
                    Map.of("background", 0, "spleen", 1),
                    new double[] {6, 6, 6},
                    IntensityWindow.ct(-57, 164),
                    new int[] {32, 32, 32},
                    0.25,
                    2,
                    BlendMode.CONSTANT,
                    Map.of());

    static final class Trainer extends SegmentationTrainer {
        Trainer() {
            super("spleen_ts", "fine-tune an imported TorchScript model", CARD);
        }
    }

    @Test
    void fineTunesAndPublishesTorchScript() throws IOException {
        Path folder = dir.resolve("models/spleen_ts");
        Files.createDirectories(folder);
        Files.copy(Fixtures.torchscript("tiny_conv3d.pt"), folder.resolve("model.pt"));
        CARD.write(folder.resolve(ModelCard.FILE_NAME));
        float[] before = firstWeights(folder);

        SegmentationTrainerTest helper = new SegmentationTrainerTest();
        helper.dir = dir;
        try (Datastore datastore = helper.studies(3)) {
            Trainer trainer = new Trainer();
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            SegmentationTrainerTest.Control control = new SegmentationTrainerTest.Control();
            Map<String, Object> result =
                    trainer.train(
                            Params.of(
                                    Map.of(
                                            "max_epochs",
                                            5,
                                            "crop_size",
                                            32,
                                            "learning_rate",
                                            1e-2,
                                            "val_split",
                                            0.34,
                                            "train_batch_size",
                                            2)),
                            control);

            @SuppressWarnings("unchecked")
            List<Map<String, Object>> epochs =
                    (List<Map<String, Object>>)
                            ((Map<String, Object>) result.get("train")).get("epochs");
            assertThat((double) epochs.get(epochs.size() - 1).get("loss"))
                    .as("%s", control.lines)
                    .isLessThan((double) epochs.get(0).get("loss"));
            assertThat((int) result.get("version")).isGreaterThan(1);
            ModelCard published = ModelCard.read(folder.resolve(ModelCard.FILE_NAME));
            assertThat(published.network()).isEqualTo("torchscript");
            assertThat(published.version()).isEqualTo(result.get("version"));
            float[] after =
                    firstWeights(
                            folder); // a plain TorchScript file that loads as imported models do
            assertThat(after).hasSameSizeAs(before).isNotEqualTo(before);
        }
    }

    @Test
    void refusesToTrainTorchScriptFromScratch() throws IOException {
        SegmentationTrainerTest helper = new SegmentationTrainerTest();
        helper.dir = dir;
        try (Datastore datastore = helper.studies(2)) {
            Trainer trainer = new Trainer();
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            assertThatThrownBy(
                            () ->
                                    trainer.train(
                                            Params.of(Map.of("max_epochs", 1)),
                                            new SegmentationTrainerTest.Control()))
                    .isInstanceOf(TrainingFailedException.class)
                    .hasMessageContaining("not trained from scratch");
        }
    }

    private static float[] firstWeights(Path folder) throws IOException {
        try (LoadedModel model =
                LoadedModel.load(folder.resolve(ModelCard.FILE_NAME), Device.cpu())) {
            NDArray w = model.model().getBlock().getParameters().get("conv1.weight").getArray();
            return w.toFloatArray();
        }
    }
}
