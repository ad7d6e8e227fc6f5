package org.monailabel.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Floats;
import org.monailabel.testing.Npy;

@Tag("engine")
class LoadedModelTest {
    @TempDir Path dir;

    static {
        Devices.engine();
    }

    static ModelCard card(String network, Map<String, Object> hyper, String weights) {
        return new ModelCard(
                "seg",
                1,
                network,
                hyper,
                weights,
                Map.of("background", 0, "spleen", 1),
                new double[] {1, 1, 1},
                IntensityWindow.ct(-57, 164),
                new int[] {32, 32, 32},
                0.25,
                1,
                BlendMode.CONSTANT,
                Map.of("trained_by", "test"));
    }

    @Test
    void aSavedUnetLoadsFromItsCardAndGivesTheSameOutput() throws Exception {
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        2,
                        new int[] {4, 8, 16},
                        new int[] {2, 2},
                        2,
                        Norm.BATCH,
                        Activation.PRELU,
                        0.1);
        ModelCard card = card("unet", cfg.toMap(), "model.params");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(cfg);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            LoadedModel.save(card, block, dir);
            NDArray x = manager.randomNormal(new Shape(1, 1, 16, 16, 16));
            float[] expected =
                    block.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray();
            try (LoadedModel loaded =
                            LoadedModel.load(dir.resolve(ModelCard.FILE_NAME), Device.cpu());
                    Network network = loaded.newNetwork()) {
                assertThat(loaded.card()).isEqualTo(card);
                Floats.assertIdentical(network.forward(x, false).toFloatArray(), expected);
                assertThat(loaded.supportsMonteCarlo()).isTrue();
                assertThat(network.forward(x, true).toFloatArray()).isNotEqualTo(expected);
            }
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("model.json", "model.params");
    }

    @Test
    void anyTorchScriptFileLoadsWhateverItsExtension() throws Exception {
        Files.copy(Fixtures.torchscript("unet_small.pt"), dir.resolve("model.ts"));
        card("torchscript", Map.of(), "model.ts").write(dir.resolve(ModelCard.FILE_NAME));
        Npy.Array input = Npy.read(Fixtures.torchscript("unet_small_input.npy"));
        Npy.Array expected = Npy.read(Fixtures.torchscript("unet_small_output.npy"));
        try (LoadedModel loaded = LoadedModel.load(dir.resolve(ModelCard.FILE_NAME), Device.cpu());
                Network network = loaded.newNetwork();
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] out =
                    network.forward(
                                    manager.create(input.data(), new Shape(1, 1, 48, 32, 16)),
                                    false)
                            .toFloatArray();
            double worst = 0;
            for (int i = 0; i < out.length; i++) {
                worst = Math.max(worst, Math.abs(out[i] - expected.data()[i]));
            }
            assertThat(worst).isLessThan(1e-4);
            assertThat(loaded.supportsMonteCarlo()).isFalse();
        }
    }

    @Test
    void badCardsAndWeightsAreClearErrors() throws Exception {
        card("resnet", Map.of(), "w.bin").write(dir.resolve("a.json"));
        Files.writeString(dir.resolve("w.bin"), "not a model");
        assertThatThrownBy(() -> LoadedModel.load(dir.resolve("a.json"), Device.cpu()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown network 'resnet'");

        card("torchscript", Map.of(), "w.bin").write(dir.resolve("b.json"));
        assertThatThrownBy(() -> LoadedModel.load(dir.resolve("b.json"), Device.cpu()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'w.bin' is not a TorchScript model");

        card("unet", UNetConfig.spleen(1, 2).toMap(), "w.bin").write(dir.resolve("c.json"));
        assertThatThrownBy(() -> LoadedModel.load(dir.resolve("c.json"), Device.cpu()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("do not fit its card");

        card("unet", UNetConfig.spleen(1, 2).toMap(), "missing.params")
                .write(dir.resolve("d.json"));
        assertThatThrownBy(() -> LoadedModel.load(dir.resolve("d.json"), Device.cpu()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.params");

        Files.writeString(dir.resolve("e.json"), "{\"name\": \"x\"");
        assertThatThrownBy(() -> ModelCard.read(dir.resolve("e.json")))
                .hasMessageContaining("not valid JSON");
        Files.writeString(
                dir.resolve("f.json"), "{\"name\": \"x\", \"network\": {\"kind\": \"unet\"}}");
        assertThatThrownBy(() -> ModelCard.read(dir.resolve("f.json")))
                .hasMessageContaining("'labels'");
    }

    @Test
    void weightsOfANetworkOfAnotherWidthDoNotLoad() throws Exception {
        Devices.engine();
        UNetConfig wide =
                new UNetConfig(
                        1, 2, new int[] {6, 12}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
        UNetConfig narrow =
                new UNetConfig(
                        1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(wide);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            LoadedModel.save(card("unet", wide.toMap(), "model.params"), block, dir);
        }
        // same parameter names, other shapes: DJL alone would load them and fail at inference
        card("unet", narrow.toMap(), "model.params").write(dir.resolve(ModelCard.FILE_NAME));

        assertThatThrownBy(() -> LoadedModel.load(dir.resolve(ModelCard.FILE_NAME), Device.cpu()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("do not fit its card")
                .hasMessageContaining("the card's network needs");
    }
}
