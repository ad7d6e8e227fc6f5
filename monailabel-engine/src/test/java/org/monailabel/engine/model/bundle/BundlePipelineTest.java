package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.postprocess.LabelMaps;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Interpolation;
import org.monailabel.engine.transform.Resample;

/**
 * The intensity and crop steps on small arrays, against values worked out by hand from MONAI's
 * definitions.
 */
class BundlePipelineTest {
    @Test
    void scaleIntensityRangeMapsAndClipsAsMonaiDoes() {
        float[] x = {-100, -57, 53.5f, 164, 300};
        BundlePipeline.scaleIntensityRange(
                x,
                new BundleStep.ScaleIntensityRange(
                        -57, 164, Optional.of(0.0), Optional.of(1.0), true));
        assertThat(x).containsExactly(new float[] {0, 0, 0.5f, 1, 1}, within(1e-6f));

        float[] y = {-100, 300};
        BundlePipeline.scaleIntensityRange(
                y,
                new BundleStep.ScaleIntensityRange(
                        0, 100, Optional.empty(), Optional.empty(), true));
        assertThat(y).containsExactly(-1f, 3f); // no b range: scaled only, nothing to clip to
    }

    @Test
    void normalizeUsesThePopulationDeviationOfTheVoxelsAsked() {
        float[] x = {0, 2, 4, 0, 6};
        BundlePipeline.normalize(
                x,
                new BundleStep.NormalizeIntensity(Optional.empty(), Optional.empty(), true, false));
        double std = Math.sqrt(8.0 / 3); // of 2, 4, 6 around 4
        assertThat(x)
                .containsExactly(
                        new float[] {0, (float) (-2 / std), 0, 0, (float) (2 / std)},
                        within(1e-6f));

        float[] flat = {5, 5};
        BundlePipeline.normalize(
                flat,
                new BundleStep.NormalizeIntensity(
                        Optional.empty(), Optional.empty(), false, false));
        assertThat(flat).containsExactly(0f, 0f); // zero deviation divides by 1
    }

    @Test
    void scaleIntensityMapsTheImagesRange() {
        float[] x = {10, 20, 30};
        BundlePipeline.scaleIntensity(x, new BundleStep.ScaleIntensity(-1, 1));
        assertThat(x).containsExactly(-1f, 0f, 1f);
    }

    @Test
    void theForegroundBoxHasTheMarginClippedToTheImage() {
        float[] data = new float[4 * 5 * 6];
        data[(1 * 5 + 2) * 6 + 3] = 1; // voxel (1, 2, 3)
        data[(2 * 5 + 2) * 6 + 5] = 0.5f; // voxel (2, 2, 5)
        DenseArray x = new DenseArray(new int[] {1, 4, 5, 6}, data);

        int[][] box = BundlePipeline.foregroundBox(x, new int[] {1, 1, 1});

        assertThat(box[0]).containsExactly(0, 1, 2);
        assertThat(box[1]).containsExactly(4, 4, 6);
        assertThatThrownBy(
                        () ->
                                BundlePipeline.foregroundBox(
                                        new DenseArray(new int[] {1, 2, 2, 2}, new float[8]),
                                        new int[3]))
                .hasMessageContaining("no voxel above zero");
    }

    @Test
    void theFusedInversionAndArgmaxEqualsResamplingEachChannelThenArgmax() {
        Random random = new Random(5);
        float[] data = new float[3 * 9 * 7 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat();
        }
        DenseArray scores = new DenseArray(new int[] {3, 9, 7, 5}, data);
        Affine source = Affine.diagonal(1.5, 1.5, 2).withTranslation(-3, 2, 1);
        Grid aligned =
                new Grid(
                        new int[] {13, 11, 9},
                        Affine.diagonal(0.8, 0.9, 1.1).withTranslation(-3.2, 1.7, 0.4));
        Grid permuted =
                new Grid(
                        new int[] {10, 12, 8},
                        Affine.of(0, 0.9, 0, -2, 1.1, 0, 0, 2, 0, 0, -1.2, 9, 0, 0, 0, 1));
        for (Grid target : List.of(aligned, permuted)) {
            Volume expected =
                    LabelMaps.argmax(
                            DenseArray.fromVolume(
                                    Resample.resample(
                                            scores.toVolume(source), target, Interpolation.LINEAR)),
                            target.affine());
            Volume fused = BundlePipeline.argmaxOnto(scores, source, target);
            for (long i = 0; i < expected.voxelCount(); i++) {
                assertThat(fused.get(i)).as("voxel %d", i).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void chainsThatWouldNotBeReproducedAreRefused() {
        BundleSpec spleen = BundleSpecTest.spec(BundleSpecTest.SPLEEN);
        BundlePipeline.check(spleen);

        BundleSpec noInvert =
                new BundleSpec(
                        "b",
                        spleen.labels(),
                        spleen.type(),
                        spleen.pre(),
                        spleen.inferer(),
                        List.of(new BundleStep.AsDiscrete(true, Optional.empty())));
        assertThatThrownBy(() -> BundlePipeline.check(noInvert))
                .hasMessage(
                        "Bundle 'b': postprocessing has no "
                                + "Invertd: its label would not be on the image's grid");
        BundleSpec labelsInterpolated =
                new BundleSpec(
                        "b",
                        spleen.labels(),
                        spleen.type(),
                        spleen.pre(),
                        spleen.inferer(),
                        List.of(
                                new BundleStep.AsDiscrete(true, Optional.empty()),
                                new BundleStep.Invert(false)));
        assertThatThrownBy(() -> BundlePipeline.check(labelsInterpolated))
                .hasMessageContaining("would interpolate label values");
        BundleSpec spacingLast =
                new BundleSpec(
                        "b",
                        spleen.labels(),
                        spleen.type(),
                        List.of(
                                new BundleStep.LoadImage(),
                                new BundleStep.ScaleIntensity(0, 1),
                                new BundleStep.Spacing(new double[] {1, 1, 1}, "bilinear")),
                        spleen.inferer(),
                        spleen.post());
        assertThatThrownBy(() -> BundlePipeline.check(spacingLast))
                .hasMessage(
                        "Bundle 'b': Spacingd after an "
                                + "intensity or crop step is not served (spatial steps first)");
    }
}
