package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.ModelType;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.testing.Fixtures;

/**
 * A bundle given to the builder is served as a model named after its folder: its labels in {@code
 * /info/}, its TorchScript as version 1, each request through its own chain, the label on the
 * input's grid. The TorchScript is the fixtures' {@code tiny_conv3d} (1 channel in, 2 out).
 */
@Tag("engine")
class BundleServingTest {
    @TempDir Path tmp;

    /** The spleen bundle's chain on the tiny network: 2 mm, a 16-voxel window. */
    static final String CHAIN =
            BundleSpecTest.SPLEEN
                    .replace("[1.5, 1.5, 2.0]", "[2.0, 2.0, 2.0]")
                    .replace("[96, 96, 96]", "[16, 16, 16]");

    Path bundle(String name, String inference) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bundles").resolve(name));
        Files.createDirectories(dir.resolve("configs"));
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("configs/inference.json"), inference);
        Files.writeString(dir.resolve("configs/metadata.json"), BundleSpecTest.METADATA);
        Files.copy(Fixtures.torchscript("tiny_conv3d.pt"), dir.resolve("models/model.ts"));
        return dir;
    }

    MonaiLabel.Builder server(Path bundle) throws IOException {
        Path studies = Files.createDirectories(tmp.resolve("studies"));
        if (!Files.exists(studies.resolve("ct.nii.gz"))) {
            Files.copy(Fixtures.nifti("synth_ct_64x64x48.nii.gz"), studies.resolve("ct.nii.gz"));
        }
        return MonaiLabel.builder()
                .studies(studies, false)
                .workDir(tmp.resolve("work"))
                .bundle(bundle);
    }

    @Test
    void aNetworkWhoseChannelsDoNotFitTheLabelsIsRefusedWithBothCounts() throws Exception {
        Path bundle = bundle("three_labels", CHAIN);
        Files.writeString(
                bundle.resolve("configs/metadata.json"),
                BundleSpecTest.METADATA.replace(
                        "\"1\": \"spleen\"}", "\"1\": \"spleen\", \"2\": \"liver\"}"));
        try (MonaiLabel monaiLabel = server(bundle).build()) {
            assertThat(monaiLabel.model("three_labels").labels())
                    .isEqualTo(Map.of("spleen", 1, "liver", 2));
            assertThatThrownBy(
                            () ->
                                    monaiLabel.infer(
                                            InferRequest.ofImage("three_labels", "ct", Map.of())))
                    .isInstanceOf(InferenceFailedException.class)
                    .hasMessageContaining("Bundle 'three_labels'")
                    .hasMessageContaining("2 output channels")
                    .hasMessageContaining("labels 0..2 (3 channels)");
        }
    }

    @Test
    void aBundleIsServedAsAModelNamedAfterItsFolder() throws Exception {
        Path bundle = bundle("spleen_ct_segmentation", CHAIN);
        try (MonaiLabel monaiLabel = server(bundle).build()) {
            assertThat(monaiLabel.info().models()).containsOnlyKeys("spleen_ct_segmentation");
            assertThat(monaiLabel.model("spleen_ct_segmentation").labels())
                    .isEqualTo(Map.of("spleen", 1));
            assertThat(monaiLabel.model("spleen_ct_segmentation").type())
                    .isEqualTo(ModelType.SEGMENTATION);
            assertThat(monaiLabel.models().currentVersion("spleen_ct_segmentation")).contains(1);
            assertThat(Files.readAllBytes(monaiLabel.models().weights("spleen_ct_segmentation")))
                    .isEqualTo(Files.readAllBytes(bundle.resolve("models/model.ts")));

            try (Inference inference =
                    monaiLabel.infer(
                            InferRequest.ofImage("spleen_ct_segmentation", "ct", Map.of()))) {
                Volume image = ImageIo.read(monaiLabel.datastore().imageFile("ct"));
                Volume label = ImageIo.read(inference.result().file().orElseThrow());
                assertThat(label.shape()).isEqualTo(image.shape());
                assertThat(label.affine().approximatelyEquals(image.affine(), 1e-6)).isTrue();
                assertThat(inference.result().json())
                        .containsEntry("label_names", Map.of("spleen", 1))
                        .containsEntry("model_version", 1);
                for (long i = 0; i < label.voxelCount(); i++) {
                    assertThat(label.get(i)).isIn(0.0, 1.0);
                }
            }
        }
    }

    @Test
    void aZippedBundleIsUnpackedAndServed() throws Exception {
        Path folder = bundle("spleen_zip", CHAIN);
        Path zip = tmp.resolve("spleen_zip.zip");
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream z = new ZipOutputStream(out);
                Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                z.putNextEntry(new ZipEntry("spleen_zip/" + folder.relativize(p)));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
        try (MonaiLabel monaiLabel = server(zip).build()) {
            assertThat(monaiLabel.info().models()).containsOnlyKeys("spleen_zip");
        }
    }

    @Test
    void aTorchScriptFileOrTheSameBundleZippedIsUploadedAsANewVersion() throws Exception {
        Path bundle = bundle("spleen_ct_segmentation", CHAIN);
        try (MonaiLabel monaiLabel = server(bundle).build()) {
            String model = "spleen_ct_segmentation";
            Path ts = Fixtures.copy("torchscript/unet_small.pt", tmp.resolve("upload.pt"));
            monaiLabel.models().upload(model, ts, "unet.pt");
            assertThat(monaiLabel.models().currentVersion(model)).contains(2);
            assertThat(version(monaiLabel, model)).isEqualTo(2);

            Path zip = zip(bundle, tmp.resolve("again.zip"));
            monaiLabel.models().upload(model, zip, "again.zip");
            assertThat(monaiLabel.models().currentVersion(model)).contains(3);
            assertThat(Files.readAllBytes(monaiLabel.models().weights(model)))
                    .isEqualTo(Files.readAllBytes(bundle.resolve("models/model.ts")));

            Path other =
                    zip(
                            bundle("other", CHAIN.replace("\"overlap\": 0.5", "\"overlap\": 0.25")),
                            tmp.resolve("other.zip"));
            assertThatThrownBy(() -> monaiLabel.models().upload(model, other, "other.zip"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("configs differ from those of the served bundle");
            assertThat(monaiLabel.models().currentVersion(model)).contains(3);

            monaiLabel.models().rollback(model, 1);
            assertThat(version(monaiLabel, model)).isEqualTo(1);
        }
    }

    private static int version(MonaiLabel monaiLabel, String model) throws Exception {
        try (Inference inference = monaiLabel.infer(InferRequest.ofImage(model, "ct", Map.of()))) {
            return ((Number) inference.result().json().get("model_version")).intValue();
        }
    }

    private static Path zip(Path folder, Path zip) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream z = new ZipOutputStream(out);
                Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                z.putNextEntry(new ZipEntry(folder.getFileName() + "/" + folder.relativize(p)));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
        return zip;
    }

    @Test
    void aBundleThatCannotBeServedExactlyStopsTheStart() throws Exception {
        Path bundle =
                bundle(
                        "flips",
                        CHAIN.replace(
                                "\"_target_\": \"EnsureTyped\"", "\"_target_\": \"RandFlipd\""));
        assertThatThrownBy(() -> server(bundle).build())
                .isInstanceOf(BundleException.class)
                .hasMessage(
                        "Bundle 'flips': transform 'RandFlipd' in preprocessing is not supported");
        Path lps = bundle("lps", CHAIN.replace("\"RAS\"", "\"LPS\""));
        assertThatThrownBy(() -> server(lps).build())
                .hasMessage("Bundle 'lps': Orientationd.axcodes 'LPS' is not " + "served (RAS)");
    }
}
