package org.monailabel.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.testing.Fixtures;

@Tag("engine")
class BundleImportTest {
    @TempDir Path dir;

    @Test
    void readsLabelsSpacingWindowAndSlidingWindowFromAMonaiBundle() throws Exception {
        Path bundle = dir.resolve("spleen_ct_segmentation");
        Files.createDirectories(bundle.resolve("configs"));
        Files.createDirectories(bundle.resolve("models"));
        Files.copy(Fixtures.torchscript("unet_small.pt"), bundle.resolve("models/model.ts"));
        Files.writeString(
                bundle.resolve("configs/metadata.json"),
                """
                {"version": "0.5.4", "network_data_format": {
                  "inputs": {"image": {"type": "image", "num_channels": 1, "spatial_shape": [96, 96, 96]}},
                  "outputs": {"pred": {"type": "image", "num_channels": 2,
                                       "channel_def": {"0": "background", "1": "spleen"}}}}}
                """);
        Files.writeString(
                bundle.resolve("configs/inference.json"),
                """
                {"preprocessing": {"_target_": "Compose", "transforms": [
                   {"_target_": "LoadImaged", "keys": "image"},
                   {"_target_": "Spacingd", "keys": "image", "pixdim": [1.5, 1.5, 2.0], "mode": "bilinear"},
                   {"_target_": "ScaleIntensityRanged", "keys": "image", "a_min": -57, "a_max": 164,
                    "b_min": 0, "b_max": 1, "clip": true}]},
                 "inferer": {"_target_": "SlidingWindowInferer", "roi_size": [96, 96, 96], "sw_batch_size": 4,
                             "overlap": 0.5, "mode": "gaussian"},
                 "network_def": {"_target_": "UNet", "spatial_dims": "@spatial_dims"}}
                """);
        ModelCard defaults = LoadedModelTest.card("x", Map.of(), "x");
        ModelCard card = BundleImport.importModel(bundle, defaults, dir.resolve("models/spleen"));

        assertThat(card.network()).isEqualTo("torchscript");
        assertThat(card.labels())
                .containsExactly(Map.entry("background", 0), Map.entry("spleen", 1));
        assertThat(card.spacing()).containsExactly(1.5, 1.5, 2.0);
        assertThat(card.intensity().aMin()).isEqualTo(-57);
        assertThat(card.intensity().rescale()).isFalse();
        assertThat(card.roiSize()).containsExactly(96, 96, 96);
        assertThat(card.swBatchSize()).isEqualTo(4);
        assertThat(card.overlap()).isEqualTo(0.5);
        assertThat(card.blend()).isEqualTo(BlendMode.GAUSSIAN);
        try (LoadedModel loaded =
                LoadedModel.load(dir.resolve("models/spleen/model.json"), Device.cpu())) {
            assertThat(loaded.card()).isEqualTo(card);
        }
    }

    @Test
    void aBundleWithoutItsModelIsAClearError() throws Exception {
        Files.createDirectories(dir.resolve("b/configs"));
        assertThatThrownBy(
                        () ->
                                BundleImport.importModel(
                                        dir.resolve("b"),
                                        LoadedModelTest.card("x", Map.of(), "x"),
                                        dir.resolve("t")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("models/model.ts");
    }
}
