package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.InferenceTask;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;
import org.monailabel.testing.TestDatastores;

/** {@code /info/} shows the labels of the version a model serves, not those its task declares. */
@Tag("engine")
class LiveModelInfoTest {
    static final UNetConfig CONFIG =
            new UNetConfig(
                    1, 3, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);

    @TempDir Path tmp;

    @Test
    void infoListsTheServedCardsLabels() throws Exception {
        Path apps = Files.createDirectories(tmp.resolve("apps"));
        PluginJars.builder()
                .source(
                        "seg.Organs",
                        PluginSources.header("seg.Organs")
                                + """
                                public final class Organs extends org.monailabel.engine.segmentation.SegmentationTask {
                                    public Organs() {
                                        super("organs", "Organs", Map.of("organ", 1));
                                    }
                                }
                                """)
                .service(InferenceTask.class, "seg.Organs")
                .write(apps.resolve("segapp.jar"));
        Devices.engine();
        ModelCard card =
                new ModelCard(
                        "organs",
                        1,
                        "unet",
                        CONFIG.toMap(),
                        "model.params",
                        Map.of("background", 0, "liver", 1, "spleen", 2),
                        new double[] {2, 2, 2},
                        IntensityWindow.ct(-57, 164),
                        new int[] {16, 16, 16},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(CONFIG);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            new ModelVersions(tmp.resolve("models/segapp/organs"), 2).publish(card, block);
        }

        try (var datastore = TestDatastores.create(tmp.resolve("studies"));
                MonaiLabel monaiLabel =
                        MonaiLabel.builder()
                                .datastore(datastore)
                                .appsFolder(apps)
                                .watch(false)
                                .workDir(tmp.resolve("work"))
                                .modelsDir(tmp.resolve("models"))
                                .build()) {
            assertThat(monaiLabel.info().models().get("organs").labels())
                    .isEqualTo(Map.of("liver", 1, "spleen", 2));
            assertThat(monaiLabel.model("organs").labels())
                    .isEqualTo(Map.of("liver", 1, "spleen", 2));

            monaiLabel.models().remove("organs"); // nothing served: the declared labels again
            assertThat(monaiLabel.model("organs").labels()).isEqualTo(Map.of("organ", 1));
        }
    }
}
