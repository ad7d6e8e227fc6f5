package org.monailabel.bench;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.engine.train.SegmentationTrainer;

/**
 * Does the trainer learn for real: the spleen of generated phantom studies, from scratch, for a
 * fixed wall-clock budget, with validation Dice after every epoch.
 *
 * <pre>
 * benchmarks/run TrainBenchmark [labeled=16] [minutes=10] [spacing=2.0] [lr=1e-3] [val_interval=3] [crop=96]
 *     [batch=4] [num_samples=4]</pre>
 *
 * The learning rate follows a cosine decay over the time budget ({@code max_train_minutes}).
 */
public final class TrainBenchmark {
    static final class Spleen extends SegmentationTrainer {
        Spleen(double spacing) {
            super(
                    "spleen",
                    "spleen from phantoms",
                    new ModelCard(
                            "spleen",
                            0,
                            "unet",
                            new UNetConfig(
                                            1,
                                            2,
                                            new int[] {16, 32, 64, 128, 256},
                                            new int[] {2, 2, 2, 2},
                                            2,
                                            Norm.BATCH,
                                            Activation.PRELU,
                                            0)
                                    .toMap(),
                            "model.params",
                            Map.of("background", 0, "spleen", 1),
                            new double[] {spacing, spacing, spacing},
                            IntensityWindow.ct(-57, 164),
                            new int[] {96, 96, 96},
                            0.25,
                            2,
                            BlendMode.CONSTANT,
                            Map.of()));
        }
    }

    /** The process's resident set (heap, native PyTorch memory and everything else), from /proc. */
    static long residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        int labeled = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        double minutes = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        double spacing = args.length > 2 ? Double.parseDouble(args[2]) : 2.0;
        double lr = args.length > 3 ? Double.parseDouble(args[3]) : 1e-3;
        int valInterval = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int crop = args.length > 5 ? Integer.parseInt(args[5]) : 96;
        int batch = args.length > 6 ? Integer.parseInt(args[6]) : 4;
        int samples = args.length > 7 ? Integer.parseInt(args[7]) : 4;
        Path dir = Files.createTempDirectory("trainbench");
        Path studies = dir.resolve("studies");
        List<String> ids = SampleStudies.generate(studies, labeled + (labeled >= 8 ? 4 : 1), 42);
        long start = System.nanoTime();
        try (LocalDatastore datastore =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false))) {
            for (String id :
                    ids) { // the spleen (value 2 in the ground truth) as Slicer would save it
                Volume truth =
                        ImageIo.read(studies.resolve("ground_truth").resolve(id + ".nii.gz"));
                Volume spleen = Volume.allocate(VoxelType.UINT8, truth.affine(), truth.shape());
                for (long v = 0; v < spleen.voxelCount(); v++) {
                    spleen.set(v, truth.get(v) == 2 ? 1 : 0);
                }
                Path label = dir.resolve(id + ".nii.gz");
                ImageIo.write(spleen, label, WriteOptions.defaults());
                datastore.saveLabel(
                        id,
                        Datastore.FINAL,
                        label,
                        label.getFileName().toString(),
                        Map.of("label_info", List.of(Map.of("name", "spleen", "idx", 1))));
            }
            Spleen trainer = new Spleen(spacing);
            trainer.open(
                    new AppContext(
                            "bench",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            JobControl control =
                    new JobControl() {
                        @Override
                        public boolean stopRequested() {
                            return false; // the trainer's own time budget ends the run
                        }

                        @Override
                        public void log(String line) {
                            System.out.printf(
                                    "[%6.1f s] %s%n", (System.nanoTime() - start) / 1e9, line);
                        }

                        @Override
                        public void progress(
                                Map<String, Object>
                                        stats) { // memory after every epoch: flat, or a leak
                            Runtime rt = Runtime.getRuntime();
                            System.out.printf(
                                    "[%6.1f s] memory: heap used %d MiB, resident %d MiB%n",
                                    (System.nanoTime() - start) / 1e9,
                                    (rt.totalMemory() - rt.freeMemory()) >> 20,
                                    residentMiB());
                        }
                    };
            double valSplit = labeled >= 8 ? 4.0 / (labeled + 4) : 1.0 / (labeled + 1);
            Map<String, Object> result =
                    trainer.train(
                            Params.of(
                                    Map.of(
                                            "max_epochs",
                                            10_000,
                                            "crop_size",
                                            crop,
                                            "train_batch_size",
                                            batch,
                                            "num_samples",
                                            samples,
                                            "learning_rate",
                                            lr,
                                            "val_split",
                                            valSplit,
                                            "val_interval",
                                            valInterval,
                                            "max_train_minutes",
                                            minutes)),
                            control);
            System.out.printf(
                    "labeled %d, %.1f min budget, spacing %.1f mm, lr %s, crop %d, batch %d, %d"
                        + " crops per image: best validation Dice %.4f at epoch %s, %s iterations,"
                        + " loader wait share %.3f, forward/backward share of training time %.3f,"
                        + " validation share %.3f, %d cores%n",
                    labeled,
                    minutes,
                    spacing,
                    lr,
                    crop,
                    batch,
                    samples,
                    (double) result.get("best_metric"),
                    result.get("best_metric_epoch"),
                    result.get("iterations"),
                    (double) result.get("loader_wait_share"),
                    (double) result.get("step_share"),
                    (double) result.get("validation_share"),
                    Runtime.getRuntime().availableProcessors());
            System.out.println(
                    "curve " + new Gson().toJson(((Map<?, ?>) result.get("train")).get("epochs")));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
