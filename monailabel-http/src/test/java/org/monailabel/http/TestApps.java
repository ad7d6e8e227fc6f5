package org.monailabel.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;
import org.monailabel.testing.PluginJars;
import org.monailabel.testing.PluginSources;

/**
 * A small real app for the HTTP tests, compiled once per test JVM with {@link PluginJars}:
 *
 * <ul>
 *   <li>model {@code threshold}: labels voxels brighter than a threshold it reads from its model
 *       folder ({@code threshold.txt}); untrained, the threshold is infinite and the label empty;
 *   <li>trainer {@code threshold}: learns the threshold from the {@code final} labels (midway
 *       between the mean foreground and background intensities), publishes it atomically, and
 *       checks {@code stopRequested} between epochs ({@code epoch_ms} slows an epoch down);
 *   <li>model {@code Histogram+GraphCut}: a name with a {@code +} (returns the input label, after
 *       {@code sleep_ms});
 *   <li>strategy {@code first}, scoring method {@code count} (writes each image's voxel count into
 *       its info).
 * </ul>
 */
final class TestApps {
    private static Path cached;

    private TestApps() {}

    static final String THRESHOLD_MODEL =
            PluginSources.header("app.ThresholdModel")
                    + """
                    import java.nio.file.*;
                    import org.monailabel.api.image.*;
                    import org.monailabel.engine.io.ImageIo;
                    import org.monailabel.engine.segmentation.ResultFiles;

                    public final class ThresholdModel implements InferenceTask {
                        private Path modelDir;

                        public ModelInfo info() {
                            return new ModelInfo("threshold", ModelType.SEGMENTATION, Map.of("organ", 1), 3,
                                    "Bright voxels", Map.of("device", List.of("cpu")));
                        }

                        public void open(AppContext context) {
                            modelDir = context.modelDir();
                        }

                        public InferenceResult infer(InferenceRequest request) throws java.io.IOException {
                            long start = System.nanoTime();
                            Path file = modelDir.resolve("threshold.txt");
                            double threshold = Files.exists(file) ? Double.parseDouble(Files.readString(file).trim())
                                    : Double.POSITIVE_INFINITY;
                            Volume image = ImageIo.read(request.image());
                            Volume label = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
                            for (long i = 0; i < image.voxelCount(); i++) {
                                label.set(i, image.get(i) > threshold ? 1 : 0);
                            }
                            Path out = ResultFiles.write(label, request.image(), request.params(), request.workDir());
                            double seconds = (System.nanoTime() - start) / 1e9;
                            return new InferenceResult(Optional.of(out), Map.of("label_names", Map.of("organ", 1),
                                    "latencies", Map.of("total", seconds), "threshold", Double.isInfinite(threshold)
                                            ? "untrained" : threshold, "client_id", request.params().getString("client_id", "")));
                        }
                    }
                    """;

    static final String THRESHOLD_TRAINER =
            PluginSources.header("app.ThresholdTrainer")
                    + """
                    import java.nio.file.*;
                    import org.monailabel.api.image.*;
                    import org.monailabel.api.TrainingPair;
                    import org.monailabel.engine.io.ImageIo;

                    public final class ThresholdTrainer implements TrainTask {
                        private Path modelDir;
                        private Datastore datastore;
                        private volatile Map<String, Object> stats = Map.of();

                        public TrainerInfo info() {
                            return new TrainerInfo("threshold", "Learns the threshold", Map.of("max_epochs", 3, "epoch_ms", 0),
                                    Map.of("organ", 1));
                        }

                        public void open(AppContext context) {
                            modelDir = context.modelDir();
                            datastore = context.datastore();
                        }

                        public Map<String, Object> train(Params params, JobControl control) throws java.io.IOException {
                            int epochs = params.getInt("max_epochs", 3);
                            long epochMs = params.getInt("epoch_ms", 0);
                            List<TrainingPair> pairs = datastore.trainingPairs(Datastore.FINAL);
                            if (pairs.isEmpty()) {
                                throw new org.monailabel.api.error.TrainingFailedException("No final labels to train on");
                            }
                            double fg = 0, bg = 0;
                            long nf = 0, nb = 0;
                            for (TrainingPair pair : pairs) {
                                Volume image = ImageIo.read(pair.image());
                                Volume label = ImageIo.read(pair.label());
                                for (long i = 0; i < image.voxelCount(); i++) {
                                    if (label.get(i) > 0) { fg += image.get(i); nf++; } else { bg += image.get(i); nb++; }
                                }
                            }
                            double threshold = (fg / Math.max(1, nf) + bg / Math.max(1, nb)) / 2;
                            for (int epoch = 1; epoch <= epochs; epoch++) {
                                if (control.stopRequested()) {
                                    control.log("stopped at epoch " + epoch);
                                    return Map.of("stopped_at", epoch);
                                }
                                long until = System.nanoTime() + epochMs * 1_000_000L;
                                while (System.nanoTime() < until && !control.stopRequested()) {
                                    try {
                                        Thread.sleep(5);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                        return Map.of("interrupted", true);
                                    }
                                }
                                stats = Map.of("epoch", epoch, "total_epochs", epochs, "best_metric", 0.9);
                                control.progress(stats);
                                control.log("epoch " + epoch + "/" + epochs);
                            }
                            Path tmp = modelDir.resolve(".threshold.tmp");
                            Files.writeString(tmp, Double.toString(threshold));
                            Files.move(tmp, modelDir.resolve("threshold.txt"), StandardCopyOption.REPLACE_EXISTING,
                                    StandardCopyOption.ATOMIC_MOVE);
                            Map<String, Object> result = new java.util.LinkedHashMap<>(stats);
                            result.put("total_time", "0:00:01");
                            result.put("threshold", threshold);
                            stats = result;
                            return result;
                        }

                        public Map<String, Object> stats() {
                            return stats;
                        }
                    }
                    """;

    static final String ECHO_MODEL =
            PluginSources.header("app.EchoLabel")
                    + """
                    import java.nio.file.*;

                    public final class EchoLabel implements InferenceTask {
                        public ModelInfo info() {
                            return new ModelInfo("Histogram+GraphCut", ModelType.SCRIBBLES, Map.of("organ", 1), 3,
                                    "Returns the label it was given", Map.of());
                        }

                        public InferenceResult infer(InferenceRequest request) throws java.io.IOException {
                            long sleep = request.params().getInt("sleep_ms", 0);
                            try {
                                Thread.sleep(sleep);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            Path input = request.label().orElse(request.image());
                            String name = input.getFileName().toString();
                            Path out = request.workDir().resolve("echo" + name.substring(name.indexOf('.')));
                            Files.copy(input, out);
                            return new InferenceResult(Optional.of(out), Map.of("label_names", Map.of("organ", 1)));
                        }
                    }
                    """;

    static final String COUNT_SCORING =
            PluginSources.header("app.CountScoring")
                    + """
                    public final class CountScoring implements ScoringMethod {
                        public ComponentInfo info() {
                            return new ComponentInfo("count", "Counts the images");
                        }

                        public Map<String, Object> score(Datastore datastore, Params params, JobControl control)
                                throws java.io.IOException {
                            int n = 0;
                            for (String id : datastore.imageIds()) {
                                if (control.stopRequested()) {
                                    break;
                                }
                                datastore.updateImageInfo(id, Map.of("count_score", ++n));
                            }
                            return Map.of("scored", n);
                        }
                    }
                    """;

    /**
     * The app jar, compiled once per JVM, copied into {@code appsFolder} as {@code testapp.jar}.
     */
    static synchronized Path install(Path appsFolder) throws IOException {
        if (cached == null) {
            Path dir = Files.createTempDirectory("http-test-app-");
            dir.toFile().deleteOnExit();
            cached =
                    PluginJars.builder()
                            .source("app.ThresholdModel", THRESHOLD_MODEL)
                            .source("app.ThresholdTrainer", THRESHOLD_TRAINER)
                            .source("app.EchoLabel", ECHO_MODEL)
                            .source("app.First", PluginSources.firstStrategy("app.First", "first"))
                            .source("app.CountScoring", COUNT_SCORING)
                            .service(InferenceTask.class, "app.ThresholdModel")
                            .service(InferenceTask.class, "app.EchoLabel")
                            .service(TrainTask.class, "app.ThresholdTrainer")
                            .service(ActiveLearningStrategy.class, "app.First")
                            .service(ScoringMethod.class, "app.CountScoring")
                            .write(dir.resolve("testapp.jar"));
            cached.toFile().deleteOnExit();
        }
        Files.createDirectories(appsFolder);
        try {
            return Files.copy(cached, appsFolder.resolve("testapp.jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
