package org.monailabel.engine.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.monailabel.engine.djl.Devices;
import org.monailabel.testing.Floats;

@Tag("engine")
class UNetTest {
    private static final UNetConfig SMALL =
            new UNetConfig(
                    1,
                    2,
                    new int[] {8, 16, 32, 64, 128},
                    new int[] {2, 2, 2, 2},
                    2,
                    Norm.BATCH,
                    Activation.PRELU,
                    0);

    static {
        Devices.engine();
    }

    @Test
    void hasMonaisParameterCountWithTwoByTwoUpsampling() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block unet = UNet.build(SMALL);
            unet.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            long count = 0;
            for (var pair : unet.getParameters()) {
                Parameter p = pair.getValue();
                if (p.getType() != Parameter.Type.RUNNING_MEAN
                        && p.getType() != Parameter.Type.RUNNING_VAR) {
                    count += p.getArray().size();
                }
            }
            // MONAI's UNet with these settings has 1,204,013 parameters with 3x3x3 transposed
            // convolutions
            // (201,370 of them); the four 2x2x2 ones (as 1x1x1 convolutions to 8x channels) have
            // 60,112.
            assertThat(count).isEqualTo(1_204_013 - 201_370 + 60_112);
        }
    }

    @Test
    void voxelShufflePlacesEachChannelAtItsOffsetInTheTwoByTwoBlock() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray in =
                    manager.arange(2 * 16 * 2 * 3 * 4)
                            .toType(DataType.FLOAT32, false)
                            .reshape(2, 16, 2, 3, 4);
            NDArray out = UNet.voxelShuffle(in);
            assertThat(out.getShape()).isEqualTo(new Shape(2, 2, 4, 6, 8));
            float[] i = in.toFloatArray();
            float[] o = out.toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 2; c++) {
                    for (int x = 0; x < 4; x++) {
                        for (int y = 0; y < 6; y++) {
                            for (int z = 0; z < 8; z++) {
                                int channel = c * 8 + (x % 2) * 4 + (y % 2) * 2 + z % 2;
                                float expected =
                                        i[
                                                (((n * 16 + channel) * 2 + x / 2) * 3 + y / 2) * 4
                                                        + z / 2];
                                assertThat(o[(((n * 2 + c) * 4 + x) * 6 + y) * 8 + z])
                                        .isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void keepsTheSpatialShapeAndSavesAndLoadsExactly() throws Exception {
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        3,
                        new int[] {4, 8, 16},
                        new int[] {2, 2},
                        2,
                        Norm.INSTANCE,
                        Activation.RELU,
                        0);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block a = UNet.build(cfg);
            a.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            NDArray x = manager.randomNormal(new Shape(2, 1, 16, 24, 8));
            NDArray ya =
                    a.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .singletonOrThrow();
            assertThat(ya.getShape()).isEqualTo(new Shape(2, 3, 16, 24, 8));

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveParameters(new DataOutputStream(bytes));
            Block b = UNet.build(UNetConfig.fromMap(cfg.toMap()));
            b.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            b.loadParameters(
                    manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDArray yb =
                    b.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .singletonOrThrow();
            Floats.assertIdentical(yb.toFloatArray(), ya.toFloatArray());
        }
    }

    @Test
    void dropoutIsOffAtInferenceUnlessMonteCarloIsAskedFor() {
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        2,
                        new int[] {4, 8},
                        new int[] {2},
                        1,
                        Norm.BATCH,
                        Activation.PRELU,
                        0.3);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block unet = UNet.build(cfg);
            unet.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            NDArray x = manager.randomNormal(new Shape(1, 1, 8, 8, 8));
            ParameterStore store = new ParameterStore(manager, false);
            float[] eval1 =
                    unet.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] eval2 =
                    unet.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(eval1).containsExactly(eval2);
            PairList<String, Object> mc = new PairList<>(Map.of(McDropout.MC_DROPOUT, true));
            float[] mc1 =
                    unet.forward(store, new NDList(x), false, mc).singletonOrThrow().toFloatArray();
            float[] mc2 =
                    unet.forward(store, new NDList(x), false, mc).singletonOrThrow().toFloatArray();
            assertThat(mc1).isNotEqualTo(mc2);
        }
    }

    @Test
    void refusesBadConfigurationsAndCardsNamingTheProblem() {
        assertThatThrownBy(
                        () ->
                                new UNetConfig(
                                        1,
                                        2,
                                        new int[] {8},
                                        new int[] {},
                                        2,
                                        Norm.BATCH,
                                        Activation.PRELU,
                                        0))
                .hasMessageContaining("at least 2 levels");
        assertThatThrownBy(
                        () ->
                                new UNetConfig(
                                        1,
                                        2,
                                        new int[] {8, 16},
                                        new int[] {3},
                                        2,
                                        Norm.BATCH,
                                        Activation.PRELU,
                                        0))
                .hasMessageContaining("strides 1 or 2");
        assertThatThrownBy(
                        () ->
                                UNetConfig.fromMap(
                                        Map.of(
                                                "in_channels",
                                                1,
                                                "out_channels",
                                                2,
                                                "channels",
                                                "x")))
                .hasMessageContaining("'channels'");
        assertThat(UNetConfig.spleen(1, 2).divisor()).isEqualTo(16);
    }
}
