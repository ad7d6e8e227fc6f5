package org.monailabel.engine.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.Network;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Npy;
import org.monailabel.testing.TestDatastores;

/**
 * Agreement with MONAI: the fixtures' CT through a bundle's chain with the fixtures' UNet as its
 * {@code model.ts}, compared stage by stage with what MONAI 1.4's own bundle machinery produced for
 * the same configs ({@code fixtures/bundle}, made by its {@code make_oracle.py}; see the fixtures'
 * README). {@code spleen} is the Model Zoo spleen bundle's chain on a 32-voxel window; {@code crop}
 * adds CropForegroundd, NormalizeIntensityd (non-zero), a Gaussian window and
 * KeepLargestConnectedComponentd.
 */
@Tag("engine")
class BundleOracleTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"spleen", "crop"})
    void agreesWithMonaiStageByStage(String chain) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bundle_" + chain));
        Fixtures.copy("bundle/inference_" + chain + ".json", dir.resolve("configs/inference.json"));
        Fixtures.copy("bundle/metadata.json", dir.resolve("configs/metadata.json"));
        Fixtures.copy("torchscript/unet_small.pt", dir.resolve("models/model.ts"));
        Path oracle = Fixtures.root().resolve("bundle");
        Volume image = ImageIo.read(Fixtures.nifti("synth_ct_64x64x48.nii.gz"));

        try (var datastore = TestDatastores.create(tmp.resolve("studies"));
                BundleTask task = new BundleTask(dir)) {
            task.open(
                    new AppContext(
                            "bundles",
                            tmp,
                            tmp.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            BundleSpec spec = task.spec();

            // pre-processing: the same grid and values
            BundlePipeline.Prepared prepared = BundlePipeline.prepare(image, spec);
            Npy.Array pre = Npy.read(oracle.resolve(chain + "_pre.npy"));
            assertThat(prepared.input().shape()).isEqualTo(pre.shape());
            assertThat(maxDiff(prepared.input().data(), pre.data())).isLessThan(1e-4);

            // the network over the sliding window
            DenseArray logits;
            try (Network network = task.currentModel().orElseThrow().newNetwork()) {
                logits = BundlePipeline.infer(prepared, spec, network, Device.cpu());
            }
            Npy.Array expected = Npy.read(oracle.resolve(chain + "_logits.npy"));
            assertThat(logits.shape()).isEqualTo(expected.shape());
            assertThat(maxDiff(logits.data(), expected.data())).isLessThan(1e-4);

            // post-processing: the label on the CT's grid
            Volume label = BundlePipeline.post(logits, prepared, spec);
            Npy.Array truth = Npy.read(oracle.resolve(chain + "_label.npy"));
            assertThat(label.shape()).isEqualTo(truth.shape());
            assertThat(label.affine()).isEqualTo(image.affine());
            assertThat(agreement(label, truth))
                    .as("share of voxels with MONAI's label")
                    .isGreaterThanOrEqualTo(0.999);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /**
     * The share of voxels equal: the label in file order (x fastest), MONAI's in C order (x
     * slowest).
     */
    private static double agreement(Volume label, Npy.Array truth) throws IOException {
        int[] s = truth.shape();
        long same = 0;
        for (int x = 0; x < s[0]; x++) {
            for (int y = 0; y < s[1]; y++) {
                for (int z = 0; z < s[2]; z++) {
                    double ours = label.get(x + (long) s[0] * (y + (long) s[1] * z));
                    if (ours == truth.data()[(x * s[1] + y) * s[2] + z]) {
                        same++;
                    }
                }
            }
        }
        return (double) same / truth.data().length;
    }
}
