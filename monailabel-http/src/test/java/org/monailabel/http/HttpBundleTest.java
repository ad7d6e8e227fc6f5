package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.SpleenStudies;

/**
 * A MONAI bundle given with {@code --bundle} answers a client like any model: listed in {@code
 * /info/} with its labels, segments over {@code /infer}, its weights under {@code /model}, is
 * fine-tuned by {@code POST /train/{name}}; a bundle that cannot be served exactly stops the start
 * with one line.
 */
@Tag("engine")
class HttpBundleTest {
    @TempDir Path root;

    /**
     * A bundle in the layout of the model zoo's spleen bundle, on the fixtures' tiny TorchScript
     * network.
     */
    Path bundle(String name, String transform) throws IOException {
        Path dir = Files.createDirectories(root.resolve("bundles").resolve(name));
        Files.createDirectories(dir.resolve("configs"));
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(
                dir.resolve("configs/metadata.json"),
                """
                {"network_data_format": {"outputs": {"pred": {"channel_def": {"0": "background", "1": "spleen"}}}}}
                """);
        Files.writeString(
                dir.resolve("configs/inference.json"),
                """
                {"device": "$torch.device('cpu')",
                 "preprocessing": {"_target_": "Compose", "transforms": [
                   {"_target_": "LoadImaged", "keys": "image"},
                   {"_target_": "EnsureChannelFirstd", "keys": "image"},
                   {"_target_": "Orientationd", "keys": "image", "axcodes": "RAS"},
                   {"_target_": "Spacingd", "keys": "image", "pixdim": [2.0, 2.0, 2.0], "mode": "bilinear"},
                   {"_target_": "%s", "keys": "image", "a_min": -57, "a_max": 164, "b_min": 0, "b_max": 1,
                    "clip": true}]},
                 "inferer": {"_target_": "SlidingWindowInferer", "roi_size": [16, 16, 16], "sw_batch_size": 2,
                             "overlap": 0.25},
                 "postprocessing": {"_target_": "Compose", "transforms": [
                   {"_target_": "Activationsd", "keys": "pred", "softmax": true},
                   {"_target_": "Invertd", "keys": "pred", "transform": "@preprocessing", "orig_keys": "image",
                    "nearest_interp": false},
                   {"_target_": "AsDiscreted", "keys": "pred", "argmax": true}]}}
                """
                        .formatted(transform));
        Fixtures.copy("torchscript/tiny_conv3d.pt", dir.resolve("models/model.ts"));
        return dir;
    }

    @Test
    void aBundleAnswersLikeAnyModel() throws Exception {
        Path bundle = bundle("spleen_ct_segmentation", "ScaleIntensityRanged");
        Path studies = Files.createDirectories(root.resolve("studies"));
        Fixtures.copy("nifti/synth_ct_64x64x48.nii.gz", studies.resolve("ct.nii.gz"));
        try (TestServer server = TestServer.start(root, b -> b.bundles(List.of(bundle)))) {
            Map<String, Object> info = TestServer.json(server.get("/info/"));
            Map<?, ?> model =
                    (Map<?, ?>) ((Map<?, ?>) info.get("models")).get("spleen_ct_segmentation");
            assertThat(model.get("labels")).isEqualTo(Map.of("spleen", 1L));
            assertThat(model.get("type")).isEqualTo("segmentation");

            HttpResponse<byte[]> inferred =
                    server.multipart(
                            "POST",
                            "/infer/spleen_ct_segmentation?image=ct",
                            new SlicerMultipart().field("params", "{}"));
            assertThat(inferred.statusCode())
                    .as(new String(inferred.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(inferred.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("multipart/form-data");

            assertThat(server.getBytes("/model/spleen_ct_segmentation").body())
                    .isEqualTo(Files.readAllBytes(bundle.resolve("models/model.ts")));
        }
    }

    @Test
    void postTrainFineTunesTheBundleAndItServesTheNewVersion() throws Exception {
        Path bundle = bundle("spleen_ct_segmentation", "ScaleIntensityRanged");
        Path config = bundle.resolve("configs/inference.json");
        Files.writeString(
                config, Files.readString(config).replace("[2.0, 2.0, 2.0]", "[6.0, 6.0, 6.0]"));
        try (TestServer server = TestServer.start(root, b -> b.bundles(List.of(bundle)))) {
            for (int i = 0; i < 2; i++) {
                SpleenStudies.add(server.server.datastore(), root.resolve("phantoms"), i);
            }
            Map<?, ?> trainers = (Map<?, ?>) TestServer.json(server.get("/info/")).get("trainers");
            assertThat(trainers.containsKey("spleen_ct_segmentation")).as("%s", trainers).isTrue();

            HttpResponse<String> started =
                    server.postJson(
                            "/train/spleen_ct_segmentation",
                            "{\"max_epochs\": 2, \"val_interval\": 2, \"learning_rate\": 0.01,"
                                    + " \"val_split\": 0.5}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
            server.awaitTraining(Duration.ofMinutes(3));
            Map<String, Object> job = TestServer.json(server.get("/train/"));
            assertThat(job.get("status")).as("%s", job).isEqualTo("DONE");
            assertThat(((Map<?, ?>) job.get("result")).get("version")).isEqualTo(2L);

            assertThat(server.getBytes("/model/spleen_ct_segmentation").body())
                    .isNotEqualTo(Files.readAllBytes(bundle.resolve("models/model.ts")));
            HttpResponse<byte[]> inferred =
                    server.multipart(
                            "POST",
                            "/infer/spleen_ct_segmentation?image=s0",
                            new SlicerMultipart().field("params", "{}"));
            assertThat(inferred.statusCode())
                    .as(new String(inferred.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(new String(inferred.body(), StandardCharsets.ISO_8859_1))
                    .containsPattern("\"model_version\"\\s*:\\s*2\\b");
        }
    }

    @Test
    void aBundleThatCannotBeServedExactlyStopsTheStartInOneLine() throws Exception {
        Path bundle = bundle("flips", "RandFlipd");
        Path studies = Files.createDirectories(root.resolve("cli-studies"));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            code =
                    Main.run(
                            "start_server",
                            "--studies",
                            studies.toString(),
                            "--bundle",
                            bundle.toString(),
                            "--port",
                            "0",
                            "--host",
                            "127.0.0.1",
                            "--work-dir",
                            root.resolve("cli-work").toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isEqualTo(1);
        assertThat(printed.lines().filter(l -> l.startsWith("monailabel: error:")).toList())
                .containsExactly(
                        "monailabel: error: Bundle 'flips': transform 'RandFlipd' in preprocessing"
                                + " is not supported");
    }
}
