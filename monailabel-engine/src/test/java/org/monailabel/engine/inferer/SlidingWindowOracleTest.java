package org.monailabel.engine.inferer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.postprocess.LabelMaps;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Floats;
import org.monailabel.testing.Npy;

/**
 * Sliding-window inference and TorchScript loading against MONAI/PyTorch outputs
 * (fixtures/torchscript).
 */
@Tag("engine")
class SlidingWindowOracleTest {
    private static Model tiny;
    private static JsonObject manifest;

    @BeforeAll
    static void load() throws Exception {
        Devices.engine();
        tiny = Model.newInstance("tiny_conv3d", Device.cpu(), "PyTorch");
        tiny.load(Fixtures.torchscript("tiny_conv3d.pt").getParent(), "tiny_conv3d");
        manifest =
                JsonParser.parseString(Files.readString(Fixtures.torchscript("manifest.json")))
                        .getAsJsonObject();
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @Test
    void tinyNetworkMatchesPytorch() throws Exception {
        Npy.Array input = Npy.read(Fixtures.torchscript("tiny_conv3d_input.npy"));
        Npy.Array expected = Npy.read(Fixtures.torchscript("tiny_conv3d_output.npy"));
        try (Predictor<NDList, NDList> predictor = tiny.newPredictor(new NoopTranslator());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDList out =
                    predictor.predict(
                            new NDList(manager.create(input.data(), new Shape(1, 1, 8, 10, 12))));
            assertMaxDifference(out.singletonOrThrow().toFloatArray(), expected.data(), 1e-5);
        }
    }

    @Test
    void smallMonaiUnetMatchesPytorchInEvalMode() throws Exception {
        Npy.Array input = Npy.read(Fixtures.torchscript("unet_small_input.npy"));
        Npy.Array expected = Npy.read(Fixtures.torchscript("unet_small_output.npy"));
        try (Model unet = Model.newInstance("unet_small", Device.cpu(), "PyTorch")) {
            unet.load(Fixtures.torchscript("unet_small.pt").getParent(), "unet_small");
            try (Predictor<NDList, NDList> predictor = unet.newPredictor(new NoopTranslator());
                    NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDList out =
                        predictor.predict(
                                new NDList(
                                        manager.create(input.data(), new Shape(1, 1, 48, 32, 16))));
                assertMaxDifference(out.singletonOrThrow().toFloatArray(), expected.data(), 1e-4);
            }
        }
    }

    @Test
    void nativeArraysDoNotAccumulateOverAThousandWindows() throws Exception {
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(new int[] {4, 4, 4}, 0, 4, BlendMode.GAUSSIAN, 0.125);
        DenseArray image =
                new DenseArray(new int[] {1, 40, 40, 40}, new float[40 * 40 * 40]); // 1,000 windows
        assertThat(inferer.plan(new int[] {40, 40, 40}).starts()).hasSize(1000);
        try (Predictor<NDList, NDList> predictor = tiny.newPredictor(new NoopTranslator());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            inferer.run(image, b -> predict(predictor, b), manager); // warm-up
            int before = manager.getManagedArrays().size();
            int modelArrays = tiny.getNDManager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                inferer.run(image, b -> predict(predictor, b), manager);
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
            assertThat(tiny.getNDManager().getManagedArrays()).hasSize(modelArrays);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "sw_constant, sw_constant_output.npy, 16, 2, CONSTANT",
        "sw_gaussian, sw_gaussian_output.npy, 16, 2, GAUSSIAN",
        "sw_app_like, sw_app_like_output.npy, 24, 1, CONSTANT"
    })
    void slidingWindowMatchesMonai(String name, String file, int roi, int batch, BlendMode mode)
            throws Exception {
        Npy.Array input = Npy.read(Fixtures.torchscript("sw_input.npy"));
        Npy.Array expected = Npy.read(Fixtures.torchscript(file));
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(new int[] {roi, roi, roi}, 0.25, batch, mode, 0.125);

        List<int[]> expectedStarts = new ArrayList<>();
        JsonArray starts =
                manifest.getAsJsonObject("sliding_window")
                        .getAsJsonObject("cases")
                        .getAsJsonObject(name)
                        .getAsJsonObject("windows")
                        .getAsJsonArray("starts");
        starts.forEach(
                s ->
                        expectedStarts.add(
                                new int[] {
                                    s.getAsJsonArray().get(0).getAsInt(),
                                    s.getAsJsonArray().get(1).getAsInt(),
                                    s.getAsJsonArray().get(2).getAsInt()
                                }));
        assertThat(inferer.plan(new int[] {40, 36, 12}).starts())
                .containsExactlyElementsOf(expectedStarts);

        try (Predictor<NDList, NDList> predictor = tiny.newPredictor(new NoopTranslator());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            DenseArray out =
                    inferer.run(
                            new DenseArray(new int[] {1, 40, 36, 12}, input.data()),
                            b -> predict(predictor, b),
                            manager);
            assertThat(out.shape()).containsExactly(2, 40, 36, 12);
            assertMaxDifference(out.data(), expected.data(), 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "16, 2, CONSTANT, 0.25",
        "16, 3, GAUSSIAN, 0.5",
        "24, 1, CONSTANT, 0.25",
        "8, 4, GAUSSIAN, 0"
    })
    void streamingLabelsEqualTheArgmaxOfTheFullBlend(
            int roi, int batch, BlendMode mode, double overlap) throws Exception {
        Npy.Array input = Npy.read(Fixtures.torchscript("sw_input.npy"));
        DenseArray image = new DenseArray(new int[] {1, 40, 36, 12}, input.data());
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(new int[] {roi, roi, roi}, overlap, batch, mode, 0.125);
        Affine affine = Affine.diagonal(2, 3, 4);
        try (Predictor<NDList, NDList> predictor = tiny.newPredictor(new NoopTranslator());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            DenseArray full = inferer.run(image, b -> predict(predictor, b), manager);
            Volume expected = LabelMaps.argmax(full, affine);
            for (boolean onDevice : new boolean[] {false, true}) {
                int before = manager.getManagedArrays().size();
                Volume labels =
                        inferer.runToLabels(
                                image, b -> predict(predictor, b), manager, affine, onDevice);
                assertThat(labels.shape()).isEqualTo(expected.shape());
                assertThat(labels.affine()).isEqualTo(affine);
                Floats.assertIdentical(labels.toFloatArray(), expected.toFloatArray());
                assertThat(manager.getManagedArrays()).as("merge buffers freed").hasSize(before);
            }
        }
    }

    static NDArray predict(Predictor<NDList, NDList> predictor, NDArray batch) {
        try {
            return predictor.predict(new NDList(batch)).singletonOrThrow();
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertMaxDifference(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).isCloseTo(0, within(tolerance));
    }
}
