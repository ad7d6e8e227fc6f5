package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.ModelType;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.OracleModels;
import org.monailabel.testing.TestDatastores;

/**
 * DeepGrow and DeepEdit around oracle networks that answer one class everywhere, so that the crop,
 * the guidance channels and the paste-back are checked exactly: a DeepGrow result is 1 precisely on
 * the input voxels whose nearest network voxel lies in the crop around the clicks.
 */
@Tag("engine")
class InteractiveTaskTest {
    @TempDir static Path dir;
    static LocalDatastore datastore;
    static Path image;
    static Volume ct;
    static Grow grow3d;
    static Grow grow2d;
    static Edit edit;

    static final Map<String, Integer> LABELS = labels();

    static Map<String, Integer> labels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("background", 0);
        m.putAll(PhantomGenerator.LABELS);
        return m;
    }

    static final class Grow extends DeepgrowTask {
        Grow(String name, int dimension) {
            super(name, "test", PhantomGenerator.LABELS, dimension);
        }

        @Override
        protected Path cardFile(AppContext context) {
            return context.modelDir().resolve("grow").resolve(ModelCard.FILE_NAME);
        }
    }

    static final class Edit extends DeepEditTask {
        Edit() {
            super("edit", "test", PhantomGenerator.LABELS);
        }
    }

    static ModelCard card(String name, int in, int out, double spacing, int roi) {
        UNetConfig net =
                new UNetConfig(
                        in,
                        out,
                        new int[] {4, 8},
                        new int[] {2},
                        0,
                        Norm.BATCH,
                        Activation.PRELU,
                        0);
        return new ModelCard(
                name,
                1,
                "unet",
                net.toMap(),
                "model.params",
                LABELS,
                new double[] {spacing, spacing, spacing},
                IntensityWindow.ct(-175, 250),
                new int[] {roi, roi, roi},
                0,
                1,
                BlendMode.CONSTANT,
                Map.of());
    }

    @BeforeAll
    static void open() throws IOException {
        Path models = dir.resolve("models");
        OracleModels.publishConstant(models.resolve("grow"), card("grow", 3, 2, 4, 16), 1);
        OracleModels.publishConstant(models.resolve("edit"), card("edit", 7, 6, 6, 16), 5);
        ct =
                PhantomGenerator.render(
                                "p",
                                3,
                                new int[] {60, 52, 20},
                                new double[] {3, 3, 7},
                                StorageOrder.LPS)
                        .image();
        image = dir.resolve("p.nii.gz");
        ImageIo.write(ct, image, WriteOptions.defaults());
        datastore = TestDatastores.create(dir.resolve("studies"));
        AppContext context =
                new AppContext("test", dir, models, AppConfig.empty(), datastore, "cpu");
        grow3d = new Grow("grow3d", 3);
        grow2d = new Grow("grow2d", 2);
        edit = new Edit();
        for (var t : List.of(grow3d, grow2d, edit)) {
            t.open(context);
        }
    }

    @AfterAll
    static void close() throws IOException {
        for (var t : List.of(grow3d, grow2d, edit)) {
            t.close();
        }
        datastore.close();
    }

    static InferenceResult infer(InteractiveTask task, Map<String, ?> params) throws IOException {
        Path work = Files.createTempDirectory(dir, "work");
        return task.infer(
                new InferenceRequest(
                        task.info().name(),
                        image,
                        Optional.of("p"),
                        Params.of(params),
                        Optional.empty(),
                        work));
    }

    static Volume label(InferenceResult r) throws IOException {
        Volume v = ImageIo.read(r.file().orElseThrow());
        assertThat(v.shape()).containsExactly(ct.shape());
        assertThat(v.affine().approximatelyEquals(ct.affine(), 1e-6)).isTrue();
        return v;
    }

    /** The expected DeepGrow result: 1 where the nearest network voxel is in the crop. */
    static void assertIsTheCrop(Volume label, InferenceResult result, int onlySlice)
            throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, List<Integer>> crop = (Map<String, List<Integer>>) result.json().get("crop");
        int[] start = crop.get("start").stream().mapToInt(Integer::intValue).toArray();
        int[] size = crop.get("size").stream().mapToInt(Integer::intValue).toArray();
        PreparedImages.Entry prepared =
                grow3d.cache().get("p", image, grow3d.currentModel().orElseThrow().card());
        int[] g = prepared.grid().shape();
        Affine t = prepared.grid().affine().inverse().multiply(ct.affine());
        long ones = 0;
        for (int k = 0; k < ct.sizeZ(); k++) {
            for (int j = 0; j < ct.sizeY(); j++) {
                for (int i = 0; i < ct.sizeX(); i++) {
                    double[] p = t.apply(i, j, k);
                    boolean in = onlySlice < 0 || k == onlySlice;
                    for (int a = 0; a < 3; a++) {
                        int v = Math.max(0, Math.min(g[a] - 1, (int) Math.rint(p[a])));
                        in &= v >= Math.max(0, start[a]) && v < Math.min(g[a], start[a] + size[a]);
                    }
                    assertThat((int) label.get(i, j, k))
                            .as("%d %d %d", i, j, k)
                            .isEqualTo(in ? 1 : 0);
                    ones += in ? 1 : 0;
                }
            }
        }
        assertThat(ones).isPositive();
    }

    @Test
    void deepgrowAnswersTheCropAroundTheClicksOnTheInputGrid() throws IOException {
        assertThat(grow3d.info().type()).isEqualTo(ModelType.DEEPGROW);
        assertThat(grow3d.info().dimension()).isEqualTo(3);
        InferenceResult r =
                infer(
                        grow3d,
                        Map.of(
                                "foreground",
                                List.of(List.of(10, 40, 5)),
                                "background",
                                List.of(),
                                "label",
                                "spleen",
                                "result_extension",
                                ".nrrd"));
        assertThat(r.json()).containsEntry("label_names", Map.of("spleen", 1));
        assertIsTheCrop(label(r), r, -1);
        long misses = grow3d.cache().counters().get("misses");
        InferenceResult again =
                infer(
                        grow3d,
                        Map.of("foreground", List.of(List.of(10, 40, 5), List.of(50, 40, 15))));
        assertThat(grow3d.cache().counters().get("misses"))
                .as("second click reuses the prepared image")
                .isEqualTo(misses);
        assertIsTheCrop(label(again), again, -1);
    }

    @Test
    void deepgrow2dFillsOnlyTheSliceSent() throws IOException {
        assertThat(grow2d.info().dimension()).isEqualTo(2);
        InferenceResult r =
                infer(grow2d, Map.of("foreground", List.of(List.of(30, 20, 9)), "slice", 9));
        assertIsTheCrop(label(r), r, 9);
    }

    @Test
    void deepeditWithoutClicksIsAutomaticAndAnswersModelIndices() throws IOException {
        assertThat(edit.info().type()).isEqualTo(ModelType.DEEPEDIT);
        assertThat(edit.info().labels()).containsEntry("background", 0).containsEntry("spine", 5);
        InferenceResult auto = infer(edit, Map.of());
        assertThat(auto.json())
                .containsEntry("mode", "automatic")
                .containsEntry("label_names", PhantomGenerator.LABELS);
        Volume v = label(auto);
        for (long i = 0; i < v.voxelCount(); i++) {
            assertThat(v.get(i)).isEqualTo(5.0);
        }
        Map<String, Object> clicks = new LinkedHashMap<>();
        LABELS.keySet().forEach(n -> clicks.put(n, List.of()));
        clicks.put("spleen", List.of(List.of(12, 30, 8)));
        clicks.put("label", "spleen");
        assertThat(infer(edit, clicks).json()).containsEntry("mode", "interactive");
    }

    @Test
    void badInputIsAClearInvalidInputError() {
        List<Map<String, Object>> bad =
                List.of(
                        Map.of("foreground", List.of(List.of(60, 0, 0))),
                        Map.of("foreground", List.of()),
                        Map.of("background", List.of(List.of(1, 1, 1))),
                        Map.of("foreground", List.of(List.of(1, 1, 1)), "label", "pancreas"));
        List<String> messages =
                List.of(
                        "outside the image",
                        "at least one click in 'foreground'",
                        "at least one click in 'foreground'",
                        "does not know the label 'pancreas'");
        for (int i = 0; i < bad.size(); i++) {
            Map<String, Object> params = bad.get(i);
            assertThatThrownBy(() -> infer(grow3d, params))
                    .as("%s", params)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(messages.get(i));
        }
        assertThatThrownBy(
                        () ->
                                infer(
                                        grow2d,
                                        Map.of(
                                                "foreground",
                                                List.of(List.of(1, 1, 1)),
                                                "slice",
                                                20)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Slice 20 is outside");
        assertThatThrownBy(() -> infer(grow2d, Map.of("foreground", List.of(List.of(1, 1, 1)))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'slice'");
        assertThatThrownBy(() -> infer(edit, Map.of("pancreas", List.of(List.of(1, 1, 1)))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not know the label 'pancreas'");
    }
}
