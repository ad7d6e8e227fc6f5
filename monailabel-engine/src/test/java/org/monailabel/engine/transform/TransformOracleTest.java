package org.monailabel.engine.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.segmentation.SegmentationPipeline;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Floats;
import org.monailabel.testing.Npy;

/**
 * Orientation, spacing, intensity and their inverses against MONAI 1.4's own outputs
 * (fixtures/nifti).
 */
class TransformOracleTest {
    private static JsonObject oracles;
    private static Volume ras;

    @BeforeAll
    static void load() throws IOException {
        oracles =
                JsonParser.parseString(Files.readString(Fixtures.nifti("oracles.json")))
                        .getAsJsonObject()
                        .getAsJsonObject("arrays");
        ras = Npy.readChannelFirst(Fixtures.nifti("ras.npy"), affine("ras"));
    }

    static Affine affine(String name) {
        JsonArray rows = oracles.getAsJsonObject(name).getAsJsonArray("affine");
        double[] v = new double[16];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                v[r * 4 + c] = rows.get(r).getAsJsonArray().get(c).getAsDouble();
            }
        }
        return Affine.of(v);
    }

    static Volume oracle(String name) throws IOException {
        return Npy.readChannelFirst(Fixtures.nifti(name + ".npy"), affine(name));
    }

    @ParameterizedTest
    @CsvSource({
        "ras_spacing_1p5_bilinear, 1.5, 1.5, 1.5, LINEAR",
        "ras_spacing_1p5_nearest, 1.5, 1.5, 1.5, NEAREST",
        "ras_spacing_1p5x1p5x2_bilinear, 1.5, 1.5, 2.0, LINEAR"
    })
    void resamplesToTheSameGridAndVoxelsAsMonai(
            String name, double sx, double sy, double sz, Interpolation mode) throws IOException {
        Volume expected = oracle(name);
        Volume actual = new Spacing(sx, sy, sz).apply(ras, mode);
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.affine().approximatelyEquals(expected.affine(), 1e-5))
                .as("%s vs %s", actual.affine(), expected.affine())
                .isTrue();
        assertClose(actual, expected, 1e-4);
    }

    @Test
    void theRadiologyAppPreTransformsMatchAndInvertOntoTheSourceGrid() throws IOException {
        Volume resampled = new Spacing(1, 1, 1).apply(ras, Interpolation.LINEAR);
        Volume windowed = Intensity.scaleRange(resampled, -57, 164, 0, 1, true);
        Volume pre = Intensity.scaleMinMax(windowed, -1, 1);
        Volume expected = oracle("app_pre_1mm");
        assertThat(pre.shape()).isEqualTo(expected.shape());
        assertThat(pre.affine().approximatelyEquals(expected.affine(), 1e-5)).isTrue();
        assertClose(pre, expected, 1e-4);

        // MONAI Label's run_invert_transforms: Spacingd.inverse (resample back), then
        // Orientationd.inverse
        Volume back =
                Resample.resample(
                        expected, new Grid(ras.shape(), ras.affine()), Interpolation.LINEAR);
        Orientation toRas = Orientation.toRas(affine("app_pre_1mm_inverted"));
        Volume inverted = toRas.invert(back);
        Volume expectedInverted = oracle("app_pre_1mm_inverted");
        assertThat(inverted.shape()).isEqualTo(expectedInverted.shape());
        assertThat(inverted.affine().approximatelyEquals(expectedInverted.affine(), 1e-5))
                .as("%s vs %s", inverted.affine(), expectedInverted.affine())
                .isTrue();
        assertClose(inverted, expectedInverted, 1e-4);
    }

    @Test
    void orientationToRasOfTheObliqueSwappedFileMatchesMonai() throws IOException {
        Volume source = ImageIo.read(Fixtures.nifti("synth_ct_64x64x48.nii.gz"));
        assertThat(Orientation.axisCodes(source.affine())).isEqualTo("PLS");
        Orientation toRas = Orientation.toRas(source.affine());
        Volume oriented = toRas.apply(source);
        assertThat(oriented.shape()).isEqualTo(ras.shape());
        assertThat(oriented.affine().approximatelyEquals(ras.affine(), 1e-5))
                .as("%s vs %s", oriented.affine(), ras.affine())
                .isTrue();
        assertClose(oriented, ras, 0);
        Volume back = toRas.invert(oriented);
        assertThat(back.affine().approximatelyEquals(source.affine(), 1e-9)).isTrue();
        Floats.assertIdentical(back.toFloatArray(), source.toFloatArray());
    }

    @Test
    void theSegmentationPipelinesFusedPreprocessingMatchesMonaisChain() throws IOException {
        Volume source = ImageIo.read(Fixtures.nifti("synth_ct_64x64x48.nii.gz"));
        ModelCard card =
                new ModelCard(
                        "m",
                        0,
                        "unet",
                        Map.of(),
                        "w",
                        Map.of("background", 0),
                        new double[] {1, 1, 1},
                        IntensityWindow.ct(-57, 164),
                        new int[] {96, 96, 96},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of());
        var prepared = SegmentationPipeline.prepare(source, card);
        Npy.Array expected = Npy.read(Fixtures.nifti("app_pre_1mm.npy"));
        assertThat(prepared.grid().shape()).containsExactly(83, 58, 104);
        assertThat(prepared.grid().affine().approximatelyEquals(affine("app_pre_1mm"), 1e-5))
                .isTrue();
        double worst = 0;
        for (int i = 0; i < expected.data().length; i++) {
            worst = Math.max(worst, Math.abs(prepared.input()[i] - expected.data()[i]));
        }
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void axisCodesFollowNibabel() {
        assertThat(Orientation.axisCodes(affine("ras"))).isEqualTo("RAS");
        assertThat(Orientation.axisCodes(affine("app_pre_1mm_inverted"))).isEqualTo("PLS");
        assertThat(Orientation.toRas(affine("ras")).isIdentity()).isTrue();
    }

    static void assertClose(Volume actual, Volume expected, double tolerance) {
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        assertThat(a).hasSameSizeAs(e);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - e[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst)
                .as(
                        "largest difference at voxel %d (%f vs %f)",
                        at, at < 0 ? 0 : a[at], at < 0 ? 0 : e[at])
                .isCloseTo(0, within(tolerance));
    }
}
