package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.http.support.Form;
import org.monailabel.testing.OracleModels;
import org.monailabel.testing.PluginJars;

/**
 * DeepGrow and DeepEdit over HTTP, framed as 3D Slicer frames them (docs/rest-api.md §6.1):
 * voxel-index clicks in the multipart {@code params}, {@code .nrrd}/{@code uint8} results in the
 * multipart reply, on the input's grid. The networks are oracles that answer one class everywhere,
 * so the reply's voxels are predictable; 4xx JSON errors for bad clicks, slices and labels.
 */
@Tag("engine")
class HttpInteractiveTest {
    @TempDir static Path root;
    static TestServer server;
    static Volume ct;
    static final String ID = "CT spleen 1";

    static final String GROW =
            """
            package iapp;
            import java.util.Map;
            import org.monailabel.engine.interactive.DeepgrowTask;
            public final class Grow3d extends DeepgrowTask {
                public Grow3d() {
                    super("deepgrow_3d", "test deepgrow", Map.of("liver", 1, "spleen", 2), 3);
                }
            }
            """;
    static final String GROW_2D =
            """
            package iapp;
            import java.util.Map;
            import java.nio.file.Path;
            import org.monailabel.api.AppContext;
            import org.monailabel.engine.interactive.DeepgrowTask;
            public final class Grow2d extends DeepgrowTask {
                public Grow2d() {
                    super("deepgrow_2d", "test deepgrow 2d", Map.of("liver", 1, "spleen", 2), 2);
                }
                @Override
                protected Path cardFile(AppContext context) {
                    return context.modelDir().resolve("deepgrow_3d").resolve("model.json");
                }
            }
            """;
    static final String EDIT =
            """
            package iapp;
            import java.util.Map;
            import org.monailabel.engine.interactive.DeepEditTask;
            public final class Edit extends DeepEditTask {
                public Edit() {
                    super("deepedit", "test deepedit", Map.of("liver", 1, "spleen", 2));
                }
            }
            """;

    static ModelCard card(String name, int in, int out) {
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
                Map.of("background", 0, "liver", 1, "spleen", 2),
                new double[] {4, 4, 4},
                IntensityWindow.ct(-175, 250),
                new int[] {16, 16, 16},
                0,
                1,
                BlendMode.CONSTANT,
                Map.of());
    }

    @BeforeAll
    static void start() throws IOException {
        Path apps = Files.createDirectories(root.resolve("apps"));
        PluginJars.builder()
                .source("iapp.Grow3d", GROW)
                .source("iapp.Grow2d", GROW_2D)
                .source("iapp.Edit", EDIT)
                .service(InferenceTask.class, "iapp.Grow3d")
                .service(InferenceTask.class, "iapp.Grow2d")
                .service(InferenceTask.class, "iapp.Edit")
                .write(apps.resolve("testapp.jar"));
        Path models = root.resolve("work").resolve("models").resolve("testapp");
        OracleModels.publishConstant(models.resolve("deepgrow_3d"), card("deepgrow_3d", 3, 2), 1);
        OracleModels.publishConstant(models.resolve("deepedit"), card("deepedit", 4, 3), 2);
        Path studies = Files.createDirectories(root.resolve("studies"));
        ct =
                PhantomGenerator.render(
                                "p",
                                5,
                                new int[] {64, 56, 18},
                                new double[] {3, 3, 8},
                                StorageOrder.LPS)
                        .image();
        ImageIo.write(ct, studies.resolve(ID + ".nii.gz"), WriteOptions.defaults());
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void infoListsTheInteractiveModelsForSlicersSmartEditBox() throws Exception {
        Map<String, Object> info = TestServer.json(server.get("/info/"));
        assertThat(info).doesNotContainKey("config");
        Map<String, Object> models = TestServer.map(info.get("models"));
        assertThat(TestServer.map(models.get("deepgrow_3d")))
                .containsEntry("type", "deepgrow")
                .containsEntry("dimension", 3L);
        assertThat(TestServer.map(models.get("deepgrow_2d")))
                .containsEntry("type", "deepgrow")
                .containsEntry("dimension", 2L);
        assertThat(TestServer.map(models.get("deepedit")))
                .containsEntry("type", "deepedit")
                .containsEntry("labels", Map.of("background", 0L, "liver", 1L, "spleen", 2L));
    }

    @Test
    void deepgrowClicksAsSlicerSendsThemGiveAMaskOnTheInputGrid() throws Exception {
        Volume label =
                infer(
                        "deepgrow_3d",
                        "{\"cache_transforms\": true, \"cache_transforms_ttl\": 300,"
                                + " \"foreground\": [[20, 30, 8]], \"background\": [[40, 12, 3]],"
                                + " \"label\": \"spleen\", \"roi\": [], \"result_extension\":"
                                + " \".nrrd\", \"result_dtype\": \"uint8\", \"client_id\":"
                                + " \"user-xyz\"}",
                        Map.of("spleen", 1L));
        long ones = count(label, 1);
        assertThat(ones)
                .isPositive()
                .isLessThan(label.voxelCount()); // the 64 mm crop, not the whole image
        assertThat(ones + count(label, 0)).isEqualTo(label.voxelCount());
        assertThat(label.get(20, 30, 8)).isEqualTo(1.0);

        Volume slice =
                infer(
                        "deepgrow_2d",
                        "{\"foreground\": [[20, 30, 8]], \"background\": [], \"slice\": 8,"
                                + " \"label\": \"spleen\", \"result_extension\": \".nrrd\","
                                + " \"result_dtype\": \"uint8\"}",
                        Map.of("spleen", 1L));
        for (int k = 0; k < ct.sizeZ(); k++) {
            for (int j = 0; j < ct.sizeY(); j++) {
                for (int i = 0; i < ct.sizeX(); i++) {
                    assertThat(slice.get(i, j, k)).isEqualTo(k == 8 ? label.get(i, j, k) : 0);
                }
            }
        }
    }

    @Test
    void deepeditMultiLabelClicksGiveModelIndicesOnTheInputGrid() throws Exception {
        Volume auto =
                infer(
                        "deepedit",
                        "{\"background\": [], \"liver\": [], \"spleen\": [], "
                                + "\"result_extension\": \".nrrd\", \"result_dtype\": \"uint8\"}",
                        Map.of("liver", 1L, "spleen", 2L));
        assertThat(count(auto, 2))
                .isEqualTo(auto.voxelCount()); // the oracle answers spleen everywhere
        Volume clicked =
                infer(
                        "deepedit",
                        "{\"background\": [[1, 1, 1]], \"liver\": [], \"spleen\": [[20, 30, 8]],"
                                + " \"label\": \"spleen\", \"result_extension\": \".nrrd\","
                                + " \"result_dtype\": \"uint8\"}",
                        Map.of("liver", 1L, "spleen", 2L));
        assertThat(count(clicked, 2)).isEqualTo(clicked.voxelCount());
    }

    @Test
    void badClicksSlicesAndLabelsAre400WithDetail() throws Exception {
        Map<String, String> cases =
                Map.of(
                        "deepgrow_3d|{\"foreground\": [[64, 0, 0]]}", "outside the image",
                        "deepgrow_3d|{\"foreground\": [], \"background\": [[1, 1, 1]]}",
                                "at least one click in 'foreground'",
                        "deepgrow_3d|{\"foreground\": [[1, 1, 1]], \"label\": \"pancreas\"}",
                                "does not know the label 'pancreas'",
                        "deepgrow_2d|{\"foreground\": [[1, 1, 18]], \"slice\": 18}",
                                "Slice 18 is outside",
                        "deepedit|{\"pancreas\": [[1, 1, 1]]}",
                                "does not know the label 'pancreas'");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String[] parts = c.getKey().split("\\|");
            HttpResponse<byte[]> reply = post(parts[0], parts[1]);
            assertThat(reply.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(reply.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/json");
            assertThat((String) TestServer.json(reply).get("detail"))
                    .as(c.getKey())
                    .contains(c.getValue());
        }
    }

    static long count(Volume v, int value) {
        long n = 0;
        for (long i = 0; i < v.voxelCount(); i++) {
            n += v.get(i) == value ? 1 : 0;
        }
        return n;
    }

    static HttpResponse<byte[]> post(String model, String params) throws Exception {
        return server.multipart(
                "POST",
                "/infer/" + model + "?image=" + URLEncoder.encode(ID, StandardCharsets.UTF_8),
                new SlicerMultipart().field("params", params));
    }

    /**
     * Slicer's infer call; checks the reply's framing (docs/rest-api.md §6.4), geometry, and
     * returns the label.
     */
    static Volume infer(String model, String params, Map<String, Long> labelNames)
            throws Exception {
        HttpResponse<byte[]> reply = post(model, params);
        assertThat(reply.statusCode())
                .as(new String(reply.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(reply.body().length));
        assertThat(reply.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(reply.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("multipart/form-data; boundary=");
        Path dir = Files.createTempDirectory(root, "reply");
        try (Form form = TestServer.parseMultipart(reply, dir)) {
            Map<String, Object> json =
                    JsonTrees.toJavaMap(JsonTrees.parseObject(form.field("params").orElseThrow()));
            assertThat(json).containsEntry("label_names", labelNames).containsKey("latencies");
            Form.FilePart file = form.file("image").orElseThrow();
            assertThat(file.clientName()).endsWith(".nrrd").doesNotContain("/");
            Path nrrd = dir.resolve("result.nrrd");
            Files.move(file.file(), nrrd);
            Volume label = ImageIo.read(nrrd);
            assertThat(label.type().name()).isEqualTo("UINT8");
            assertThat(label.shape()).containsExactly(ct.shape());
            assertThat(label.affine().approximatelyEquals(ct.affine(), 1e-4)).isTrue();
            return label;
        }
    }
}
