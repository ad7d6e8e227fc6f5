package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobStatus;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Npy;
import org.monailabel.testing.TorchPython;

/**
 * A fine-tuned bundle stays a TorchScript that MONAI's torch loads: the version the bundle trainer
 * publishes (written by DJL's PyTorch) is loaded by Debian's {@code python3-torch} with {@code
 * torch.jit.load} and gives, on the same input, what DJL computes with it. A module frozen by
 * {@code torch.jit.freeze} (no parameters) is refused with its reason. Skipped, saying why, when
 * {@code /usr/bin/python3} has no torch.
 */
@Tag("interop")
class BundleTorchScriptInteropTest {
    @TempDir Path tmp;

    static String torchVersion;

    @BeforeAll
    static void torch() {
        torchVersion = TorchPython.assumeTorch();
    }

    @Test
    void theFineTunedVersionLoadsInTorchAndComputesWhatDjlComputes() throws Exception {
        String name = "spleen_ct_segmentation";
        try (MonaiLabel monaiLabel =
                BundleFineTuneTest.server(
                        tmp, BundleFineTuneTest.bundle(tmp, name, BundleFineTuneTest.SPLEEN))) {
            BundleFineTuneTest.addStudies(monaiLabel, tmp.resolve("phantoms"), 3);
            Job job = BundleFineTuneTest.train(monaiLabel, name, BundleFineTuneTest.QUICK);
            assertThat(job.status()).as("%s", job.details()).isEqualTo(JobStatus.DONE);
            assertThat(monaiLabel.models().currentVersion(name)).contains(2);
            Path published = monaiLabel.models().weights(name);

            Path input = Fixtures.torchscript("tiny_conv3d_input.npy"); // (1, 1, 8, 10, 12)
            Path output = tmp.resolve("torch_output.npy");
            Map<?, ?> facts =
                    new Gson()
                            .fromJson(
                                    NibabelProcess.run(
                                            tmp,
                                            "torchscript_forward.py",
                                            List.of(
                                                    published.toString(),
                                                    input.toString(),
                                                    output.toString())),
                                    Map.class);

            assertThat(facts.get("torch")).isEqualTo(torchVersion);
            Npy.Array torch = Npy.read(output);
            assertThat(torch.shape()).containsExactly(1, 2, 8, 10, 12);

            Npy.Array x = Npy.read(input);
            float[] djl;
            try (LoadedModel loaded =
                            LoadedModel.load(
                                    published.resolveSibling(ModelCard.FILE_NAME), Device.cpu());
                    Network network = loaded.newNetwork();
                    NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                assertThat(loaded.card().version()).isEqualTo(2);
                djl =
                        network.forward(manager.create(x.data(), new Shape(1, 1, 8, 10, 12)), false)
                                .toFloatArray();
            }
            double worst = 0;
            for (int i = 0; i < djl.length; i++) {
                worst = Math.max(worst, Math.abs(djl[i] - torch.data()[i]));
            }
            System.out.printf(
                    "torch %s loaded the fine-tuned model.ts (file format %s): max |DJL - torch|"
                            + " %.3g%n",
                    facts.get("torch"), facts.get("file_format"), worst);
            assertThat(djl).hasSameSizeAs(torch.data());
            assertThat(worst).isLessThan(1e-4);

            // and it is the fine-tuned network, not the bundle's: torch's output moved too
            float[] before = Npy.read(Fixtures.torchscript("tiny_conv3d_output.npy")).data();
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved = Math.max(moved, Math.abs(before[i] - torch.data()[i]));
            }
            assertThat(moved).isGreaterThan(1e-3);
        }
    }

    @Test
    void aFrozenModuleIsServedButRefusedForFineTuning() throws Exception {
        Path frozen = tmp.resolve("frozen.ts");
        String left =
                NibabelProcess.run(
                        tmp,
                        "torchscript_freeze.py",
                        List.of(
                                Fixtures.torchscript("tiny_conv3d.pt").toString(),
                                frozen.toString()));
        assertThat(left.strip()).isEqualTo("0");
        String name = "frozen_bundle";
        try (MonaiLabel monaiLabel =
                BundleFineTuneTest.server(
                        tmp,
                        BundleFineTuneTest.bundle(tmp, name, BundleFineTuneTest.SPLEEN, frozen))) {
            BundleFineTuneTest.addStudies(monaiLabel, tmp.resolve("phantoms"), 2);
            try (Inference inference =
                    monaiLabel.infer(InferRequest.ofImage(name, "s0", Map.of()))) {
                assertThat(inference.result().json()).containsEntry("model_version", 1);
            }
            Job job = BundleFineTuneTest.train(monaiLabel, name, BundleFineTuneTest.QUICK);
            assertThat(job.status()).isEqualTo(JobStatus.ERROR);
            assertThat(job.details())
                    .anySatisfy(
                            line ->
                                    assertThat(line)
                                            .contains("has no parameters to train")
                                            .contains("torch.jit.freeze"));
            assertThat(job.details()) // refused before any study was pre-processed
                    .noneSatisfy(line -> assertThat(line).contains("studies ready"));
            assertThat(monaiLabel.models().currentVersion(name)).contains(1);
        }
    }
}
