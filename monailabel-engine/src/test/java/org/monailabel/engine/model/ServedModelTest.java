package org.monailabel.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ModelStore;
import org.monailabel.api.ModelStores;
import org.monailabel.api.error.ConflictException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

/** A task's model follows its store's notices: publish, rollback and removal reach it at once. */
@Tag("engine")
class ServedModelTest {
    static final UNetConfig CONFIG =
            new UNetConfig(
                    1, 2, new int[] {4, 8}, new int[] {2}, 1, Norm.BATCH, Activation.PRELU, 0);

    @TempDir Path dir;
    ModelStores stores;
    ModelStore store;
    ModelCard card;

    @BeforeEach
    void setUp() {
        Devices.engine();
        stores = new ModelStores(dir);
        store = stores.of("seg");
        card = LoadedModelTest.card("unet", CONFIG.toMap(), "model.params");
    }

    private void publish(ModelVersions versions, int version) throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(CONFIG);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8, 8));
            versions.publish(card.withVersion(version, Map.of()), block);
        }
    }

    private static int version(ServedModel served) throws Exception {
        return served.require().card().version();
    }

    @Test
    void servesEachVersionPublishedThroughTheStoreFromTheNextRequestOn() throws Exception {
        ModelVersions versions = new ModelVersions(store, 5);
        publish(versions, 1);
        try (ServedModel served =
                ServedModel.open("seg", store, "cpu", Optional.empty(), getClass())) {
            assertThat(version(served)).isEqualTo(1);
            LoadedModel first = served.require();

            publish(versions, 2);
            assertThat(served.loaded()).containsSame(first); // a notice only marks it stale
            assertThat(version(served)).isEqualTo(2);

            versions.rollback(1);
            assertThat(version(served)).isEqualTo(1);

            assertThat(versions.unpublish(".gone")).isTrue();
            assertThat(served.current()).isEmpty();
            assertThatThrownBy(served::require)
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("no trained weights");
        }
    }

    @Test
    void aChangeMadeBehindTheStoresBackIsServedOnlyAfterAnExplicitRefresh() throws Exception {
        publish(new ModelVersions(store, 5), 1);
        try (ServedModel served =
                ServedModel.open("seg", store, "cpu", Optional.empty(), getClass())) {
            publish(
                    new ModelVersions(store.folder(), 5),
                    2); // no notice: the folder is not watched

            assertThat(version(served)).isEqualTo(1);
            served.refresh();
            assertThat(version(served)).isEqualTo(2);
        }
    }

    @Test
    void theStoreIsSharedByFolderAndAClosedModelHearsNoMore() throws Exception {
        assertThat(stores.of("seg")).isSameAs(store);
        assertThat(stores.forFolder(dir.resolve("seg"))).isSameAs(store);
        assertThatThrownBy(() -> stores.of("../seg")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stores.forFolder(dir.resolve("a/seg")))
                .isInstanceOf(IllegalArgumentException.class);

        List<String> heard = new ArrayList<>();
        ModelStore.Subscription first = store.subscribe(() -> heard.add("first"));
        store.subscribe(
                () -> {
                    throw new IllegalStateException("a broken listener does not stop the others");
                });
        store.subscribe(() -> heard.add("third"));
        store.changed();
        first.close();
        store.changed();
        assertThat(heard).containsExactly("first", "third", "third");

        ServedModel served = ServedModel.open("seg", store, "cpu", Optional.empty(), getClass());
        assertThat(served.current()).isEmpty();
        served.close();
        publish(new ModelVersions(store, 5), 1);
        assertThat(served.loaded()).isEmpty();
    }
}
