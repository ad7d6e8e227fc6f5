package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ModelType;
import org.monailabel.engine.inferer.BlendMode;

/**
 * Bundles read strictly. The configs here are written for the test in the layout of the MONAI Model
 * Zoo's {@code spleen_ct_segmentation} bundle (its {@code configs/inference.json} states
 * LoadImaged, EnsureChannelFirstd, Orientationd RAS, Spacingd 1.5x1.5x2 bilinear,
 * ScaleIntensityRanged -57..164 to 0..1 clipped, EnsureTyped, a SlidingWindowInferer of 96 voxels,
 * batch 4, overlap 0.5, then Activationsd softmax, Invertd, AsDiscreted argmax and SaveImaged, with
 * the unused parts holding arbitrary Python).
 */
class BundleSpecTest {
    static final String METADATA =
            """
            {"version": "0.5.0", "network_data_format": {"outputs": {"pred": {"type": "image",
                "num_channels": 2, "channel_def": {"0": "background", "1": "spleen"}}}}}
            """;

    static final String SPLEEN =
            """
            {
              "imports": ["$import glob"],
              "bundle_root": ".",
              "output_dir": "$@bundle_root + '/eval'",
              "datalist": "$list(sorted(glob.glob(@dataset_dir + '/imagesTs/*.nii.gz')))",
              "dataset_dir": "/workspace/data/Task09_Spleen",
              "device": "$torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')",
              "pixdim": [1.5, 1.5, 2.0],
              "preprocessing": {
                "_target_": "Compose",
                "transforms": [
                  {"_target_": "LoadImaged", "keys": "image"},
                  {"_target_": "EnsureChannelFirstd", "keys": "image"},
                  {"_target_": "Orientationd", "keys": "image", "axcodes": "RAS"},
                  {"_target_": "Spacingd", "keys": "image", "pixdim": "@pixdim", "mode": "bilinear"},
                  {"_target_": "monai.transforms.ScaleIntensityRanged", "keys": "image", "a_min": -57,
                   "a_max": 164, "b_min": 0, "b_max": "$1.0", "clip": true},
                  {"_target_": "EnsureTyped", "keys": "image", "device": "@device"}
                ]
              },
              "inferer": {"_target_": "SlidingWindowInferer", "roi_size": [96, 96, 96], "sw_batch_size": 4,
                          "overlap": 0.5},
              "postprocessing": {
                "_target_": "Compose",
                "transforms": [
                  {"_target_": "Activationsd", "keys": "pred", "softmax": true},
                  {"_target_": "Invertd", "keys": "pred", "transform": "@preprocessing", "orig_keys": "image",
                   "nearest_interp": false, "to_tensor": true},
                  {"_target_": "AsDiscreted", "keys": "pred", "argmax": true},
                  {"_target_": "SaveImaged", "keys": "pred", "output_dir": "@output_dir"}
                ]
              },
              "evaluator": {"_target_": "SupervisedEvaluator", "network": "$@network_def.to(@device)"}
            }
            """;

    static BundleSpec spec(String inference) {
        return BundleSpec.of(
                "spleen_ct_segmentation",
                BundleConfig.parse("spleen_ct_segmentation", "inference.json", inference),
                BundleConfig.parse("spleen_ct_segmentation", "metadata.json", METADATA));
    }

    @Test
    void readsTheSpleenBundlesChainWithItsReferencesAndConstants() {
        BundleSpec spec = spec(SPLEEN);

        assertThat(spec.labels()).isEqualTo(Map.of("spleen", 1));
        assertThat(spec.type()).isEqualTo(ModelType.SEGMENTATION);
        assertThat(spec.pre())
                .extracting(BundleStep::transform)
                .containsExactly(
                        "LoadImaged",
                        "EnsureChannelFirstd",
                        "Orientationd",
                        "Spacingd",
                        "ScaleIntensityRanged",
                        "EnsureTyped");
        BundleStep.Spacing spacing = (BundleStep.Spacing) spec.pre().get(3);
        assertThat(spacing.pixdim()).containsExactly(1.5, 1.5, 2.0);
        assertThat(spacing.mode()).isEqualTo("bilinear");
        assertThat(spec.pre().get(2)).isEqualTo(new BundleStep.Orientation("RAS"));
        assertThat(spec.pre().get(4))
                .isEqualTo(
                        new BundleStep.ScaleIntensityRange(
                                -57, 164, Optional.of(0.0), Optional.of(1.0), true));
        assertThat(spec.inferer().roiSize()).containsExactly(96, 96, 96);
        assertThat(spec.inferer().swBatchSize()).isEqualTo(4);
        assertThat(spec.inferer().overlap()).isEqualTo(0.5);
        assertThat(spec.inferer().mode()).isEqualTo(BlendMode.CONSTANT);
        assertThat(spec.post())
                .containsExactly(
                        new BundleStep.Activation(true, false),
                        new BundleStep.Invert(false),
                        new BundleStep.AsDiscrete(true, Optional.empty()));
    }

    @Test
    void everyListedTransformIsReadWithMonaisDefaults() {
        BundleSpec spec =
                spec(
                        SPLEEN.replace(
                                        """
                                          {"_target_": "EnsureTyped", "keys": "image", "device": "@device"}
                                        """,
                                        """
                                          {"_target_": "NormalizeIntensityd", "keys": "image", "nonzero": true, "channel_wise": true},
                                          {"_target_": "ScaleIntensityd", "keys": "image"},
                                          {"_target_": "CropForegroundd", "keys": "image", "source_key": "image", "margin": 10},
                                          {"_target_": "EnsureTyped", "keys": "image", "_disabled_": true}
                                        """)
                                .replace(
                                        """
                                          {"_target_": "AsDiscreted", "keys": "pred", "argmax": true},
                                        """,
                                        """
                                          {"_target_": "AsDiscreted", "keys": "pred", "threshold": 0.5},
                                          {"_target_": "KeepLargestConnectedComponentd", "keys": "pred", "applied_labels": [1]},
                                        """)
                                .replace(
                                        "\"overlap\": 0.5}",
                                        "\"overlap\": 0.5, \"mode\": \"gaussian\"}"));

        assertThat(spec.pre().subList(5, spec.pre().size()))
                .extracting(BundleStep::transform)
                .containsExactly("NormalizeIntensityd", "ScaleIntensityd", "CropForegroundd");
        assertThat(spec.pre().get(5))
                .isEqualTo(
                        new BundleStep.NormalizeIntensity(
                                Optional.empty(), Optional.empty(), true, true));
        assertThat(spec.pre().get(6)).isEqualTo(new BundleStep.ScaleIntensity(0, 1));
        BundleStep.CropForeground crop = (BundleStep.CropForeground) spec.pre().get(7);
        assertThat(crop.sourceKey()).isEqualTo("image");
        assertThat(crop.margin()).containsExactly(10, 10, 10);
        assertThat(spec.post())
                .containsExactly(
                        new BundleStep.Activation(true, false),
                        new BundleStep.Invert(false),
                        new BundleStep.AsDiscrete(false, Optional.of(0.5)),
                        new BundleStep.KeepLargestComponent(List.of(1), true));
        assertThat(spec.inferer().mode()).isEqualTo(BlendMode.GAUSSIAN);
    }

    @Test
    void anythingElseStopsWithTheBundleTheTransformAndTheKey() {
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"_target_\": \"EnsureTyped\"",
                                                "\"_target_\": \"RandFlipd\"")))
                .isInstanceOf(BundleException.class)
                .hasMessage(
                        "Bundle 'spleen_ct_segmentation': transform 'RandFlipd' in preprocessing is"
                                + " not supported");
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"mode\": \"bilinear\"", "\"mode\": \"bicubic\"")))
                .hasMessage(
                        "Bundle 'spleen_ct_segmentation': Spacingd.mode 'bicubic' is not supported "
                                + "(bilinear, nearest)");
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"mode\": \"bilinear\"",
                                                "\"align_corners\": true")))
                .hasMessageStartingWith(
                        "Bundle 'spleen_ct_segmentation': Spacingd.align_corners = true is not "
                                + "supported");
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"clip\": true", "\"clip\": true, \"gamma\": 2")))
                .hasMessage(
                        "Bundle 'spleen_ct_segmentation': ScaleIntensityRanged: key 'gamma' is not"
                                + " supported");
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"b_max\": \"$1.0\"",
                                                "\"b_max\": \"$np.float32(1)\"")))
                .hasMessageStartingWith(
                        "Bundle 'spleen_ct_segmentation': preprocessing#transforms#4#b_max: "
                                + "expression '$np.float32(1)' is not a plain constant");
        assertThatThrownBy(() -> spec(SPLEEN.replace("\"@pixdim\"", "\"@spacing\"")))
                .hasMessageContaining("reference '@spacing' names nothing");
        assertThatThrownBy(
                        () -> spec(SPLEEN.replace("\"SlidingWindowInferer\"", "\"SimpleInferer\"")))
                .hasMessage(
                        "Bundle 'spleen_ct_segmentation': inferer 'SimpleInferer' is not supported "
                                + "(SlidingWindowInferer)");
        assertThatThrownBy(
                        () ->
                                spec(
                                        SPLEEN.replace(
                                                "\"argmax\": true",
                                                "\"argmax\": true, \"to_onehot\": 2")))
                .hasMessageStartingWith(
                        "Bundle 'spleen_ct_segmentation': AsDiscreted.to_onehot = 2 is not "
                                + "supported");
    }

    @Test
    void expressionsThatArePlainConstantsResolve() {
        BundleConfig config =
                BundleConfig.parse(
                        "b",
                        "inference.json",
                        """
                        {"a": "$[1, 2.5, -3e-1]", "b": "$('RAS', True, None)", "c": "$@a", "d": {"e": ["@c", "$'x'"]},
                         "f": "@d#e#1", "loop": "@loop", "g": "$1 + 1"}
                        """);

        assertThat(config.get("a").orElseThrow().toString()).isEqualTo("[1,2.5,-0.3]");
        assertThat(config.get("b").orElseThrow().toString()).isEqualTo("[\"RAS\",true,null]");
        assertThat(config.get("d").orElseThrow().toString())
                .isEqualTo("{\"e\":[[1,2.5,-0.3],\"x\"]}");
        assertThat(config.get("f").orElseThrow().getAsString()).isEqualTo("x");
        assertThat(config.get("nothing")).isEmpty();
        assertThatThrownBy(() -> config.get("loop")).hasMessageContaining("circular");
        assertThatThrownBy(() -> config.get("g")).hasMessageContaining("not a plain constant");
    }

    @Test
    void aBundleFolderNeedsItsJsonConfigsLabelsAndTorchScript(@TempDir Path dir) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("spleen_deepedit").resolve("configs"));
        Files.writeString(bundle.resolve("inference.yaml"), "preprocessing: []");
        assertThatThrownBy(() -> BundleSpec.read(bundle.getParent()))
                .isInstanceOf(BundleException.class)
                .hasMessageStartingWith("Bundle 'spleen_deepedit': configs/inference.yaml is YAML");

        Files.writeString(bundle.resolve("inference.json"), SPLEEN, StandardCharsets.UTF_8);
        Files.writeString(bundle.resolve("metadata.json"), "{\"version\": \"1\"}");
        assertThatThrownBy(() -> BundleSpec.read(bundle.getParent()))
                .hasMessageContaining("models/model.ts");

        Files.createDirectories(bundle.resolveSibling("models"));
        Files.writeString(bundle.resolveSibling("models").resolve("model.ts"), "stand-in");
        assertThatThrownBy(() -> BundleSpec.read(bundle.getParent()))
                .hasMessageContaining("channel_def");

        Files.writeString(bundle.resolve("metadata.json"), METADATA);
        BundleSpec spec = BundleSpec.read(bundle.getParent());
        assertThat(spec.name()).isEqualTo("spleen_deepedit");
        assertThat(spec.type()).isEqualTo(ModelType.DEEPEDIT);
    }
}
