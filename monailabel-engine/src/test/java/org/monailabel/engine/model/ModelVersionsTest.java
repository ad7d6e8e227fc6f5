package org.monailabel.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

@Tag("engine")
class ModelVersionsTest {
    @TempDir Path dir;

    @Test
    void keepsTheNewestVersionsAndRollsBackToAnyOfThem() throws Exception {
        Devices.engine();
        UNetConfig cfg =
                new UNetConfig(
                        1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
        ModelCard card = LoadedModelTest.card("unet", cfg.toMap(), "model.params");
        ModelVersions versions = new ModelVersions(dir, 2);
        byte[][] weights = new byte[5][];
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (int v = 1; v <= 4; v++) {
                Block block = UNet.build(cfg);
                block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
                versions.publish(card.withVersion(v, Map.of("v", v)), block);
                weights[v] = Files.readAllBytes(dir.resolve("model.params"));
            }
        }
        assertThat(versions.list()).containsExactly(3, 4);
        assertThat(versions.current()).contains(4);
        versions.rollback(3);
        assertThat(versions.current()).contains(3);
        assertThat(Files.readAllBytes(dir.resolve("model.params"))).isEqualTo(weights[3]);
        try (LoadedModel loaded = LoadedModel.load(dir.resolve("model.json"), Device.cpu())) {
            assertThat(loaded.card().version()).isEqualTo(3);
        }
        assertThatThrownBy(() -> versions.rollback(1)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void publishVerifiedRefusesWeightsThatDoNotLoadAndChangesNothing() throws Exception {
        Devices.engine();
        UNetConfig cfg =
                new UNetConfig(
                        1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
        ModelCard card = LoadedModelTest.card("unet", cfg.toMap(), "model.params");
        ModelVersions versions = new ModelVersions(dir, 5);
        byte[] good;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(cfg);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            versions.publish(card.withVersion(1, Map.of()), block);
            good = Files.readAllBytes(dir.resolve("model.params"));
        }

        assertThatThrownBy(
                        () ->
                                versions.publishVerified(
                                        card.withVersion(2, Map.of()),
                                        new ByteArrayInputStream(
                                                "not weights".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("do not fit its card");
        assertThat(versions.list()).containsExactly(1);
        assertThat(versions.current()).contains(1);
        assertThat(Files.readAllBytes(dir.resolve("model.params"))).isEqualTo(good);

        versions.publishVerified(card.withVersion(2, Map.of()), new ByteArrayInputStream(good));
        assertThat(versions.list()).containsExactly(1, 2);
        assertThat(versions.current()).contains(2);
    }

    @Test
    void unpublishMovesTheCurrentVersionAsideAndKeepsTheVersions() throws Exception {
        Devices.engine();
        UNetConfig cfg =
                new UNetConfig(
                        1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);
        ModelCard card = LoadedModelTest.card("unet", cfg.toMap(), "model.params");
        ModelVersions versions = new ModelVersions(dir, 5);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(cfg);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            versions.publish(card.withVersion(3, Map.of()), block);
        }
        byte[] weights = Files.readAllBytes(dir.resolve("model.params"));

        assertThat(versions.unpublish(".x.deleted")).isTrue();

        assertThat(dir.resolve("model.json")).doesNotExist();
        assertThat(dir.resolve("model.params")).doesNotExist();
        assertThat(dir.resolve("model.json.x.deleted")).isRegularFile();
        assertThat(Files.readAllBytes(dir.resolve("model.params.x.deleted"))).isEqualTo(weights);
        assertThat(versions.current()).isEmpty();
        assertThat(versions.latestCard())
                .hasValueSatisfying(c -> assertThat(c.version()).isEqualTo(3));
        assertThat(versions.nextVersion()).isEqualTo(4);
        assertThat(versions.unpublish(".y.deleted")).isFalse();
        versions.rollback(3);
        assertThat(versions.current()).contains(3);
    }
}
