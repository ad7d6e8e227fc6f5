package org.monailabel.engine.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.JobControl;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.TestDatastores;

/** Tiny real models, studies and a recording job control for the scoring tests. */
final class ScoringFixtures {
    static final String MODEL = "seg";

    private ScoringFixtures() {}

    static final class Epistemic extends EpistemicScoring {
        Epistemic() {
            super(MODEL);
        }
    }

    static final class Tta extends TtaScoring {
        Tta() {
            super(MODEL);
        }
    }

    /** A job control that records what a job reports and stops when {@code stopWhen} holds. */
    static final class Control implements JobControl {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Map<String, Object>> progress = new CopyOnWriteArrayList<>();
        volatile Predicate<Control> stopWhen = c -> false;

        @Override
        public boolean stopRequested() {
            return stopWhen.test(this);
        }

        @Override
        public void log(String line) {
            lines.add(line);
        }

        @Override
        public void progress(Map<String, Object> stats) {
            progress.add(stats);
        }

        int done() {
            return progress.isEmpty() ? 0 : (int) progress.get(progress.size() - 1).get("done");
        }
    }

    /**
     * Publishes an untrained UNet (three labels, 8 mm spacing, 16-voxel windows) as {@code version}
     * of model {@code seg} in {@code <modelDir>/seg}, as the trainer publishes.
     */
    static ModelCard publish(Path modelDir, double dropout, int version) throws IOException {
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        3,
                        new int[] {4, 8},
                        new int[] {2},
                        1,
                        Norm.BATCH,
                        Activation.PRELU,
                        dropout);
        ModelCard card =
                new ModelCard(
                        MODEL,
                        version,
                        "unet",
                        cfg.toMap(),
                        "model.params",
                        Map.of("background", 0, "liver", 1, "spleen", 2),
                        new double[] {8, 8, 8},
                        IntensityWindow.ct(-57, 164),
                        new int[] {16, 16, 16},
                        0.25,
                        2,
                        BlendMode.CONSTANT,
                        Map.of());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(cfg);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            new ModelVersions(modelDir.resolve(MODEL), 3).publish(card, block);
        }
        return card;
    }

    /** A datastore of tiny CT phantoms {@code p0..p<n-1>} (about 24x22x12 voxels at 8 mm). */
    static LocalDatastore studies(Path dir, int count) throws IOException {
        LocalDatastore datastore = TestDatastores.create(dir.resolve("studies"));
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve("p" + i + ".nii.gz");
            ImageIo.write(
                    PhantomGenerator.render(
                                    "p" + i,
                                    20 + i,
                                    new int[] {36, 32, 18},
                                    new double[] {6, 6, 10},
                                    StorageOrder.values()[i % 4])
                            .image(),
                    file,
                    WriteOptions.defaults());
            datastore.addImage("p" + i, file, file.getFileName().toString(), Map.of());
        }
        return datastore;
    }

    static AppContext context(Path dir, Datastore datastore) {
        return new AppContext(
                "test", dir, dir.resolve("models"), AppConfig.empty(), datastore, "cpu");
    }
}
