package org.monailabel.engine.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.google.gson.GsonBuilder;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.AppContext;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.error.TrainingFailedException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

/**
 * Trains a segmentation model from the datastore's {@code final} labels: studies pre-processed
 * once into a bounded {@link PreparedCache} (heap LRU over a disk cache in the model directory),
 * random crops balanced between foreground and background ({@code num_samples} per study and
 * epoch) with optional flips and rotations ({@code flip_prob}, {@code rotate90}; off by default
 * because they swap left and right organs) and intensity jitter, all from one seeded generator;
 * batches prepared on a loader thread; Dice + cross-entropy, Adam with a warm-up and cosine decay
 * ({@code lr_schedule}); validation Dice with sliding-window inference every {@code val_interval}
 * epochs; the best model published atomically as a new version into the folder the {@code
 * SegmentationTask} of the same name serves from; early stopping, a time budget ({@code
 * max_train_minutes}), and a stop request honoured within one iteration. Fine-tunes the published
 * version ({@code pretrained}, also a TorchScript one) or starts from the template card. Apps
 * subclass it with a no-arg constructor.
 */
public class SegmentationTrainer implements TrainTask {
    private final String name;
    private final String description;
    private final ModelCard template;
    private final Map<String, Object> defaults;
    private AppContext context;
    private Device device;
    private volatile Map<String, Object> stats = Map.of();
    private int lastEpochIterations;
    private long stepNanos;
    private long validationNanos;
    private long totalIterations;

    protected SegmentationTrainer(String name, String description, ModelCard template) {
        this(name, description, template, Map.of());
    }

    /**
     * @param defaults the app's own defaults for the training config (for example a smaller {@code
     *     crop_size}), shown in {@code /info/} and used when a request does not set them
     */
    protected SegmentationTrainer(String name, String description, ModelCard template, Map<String, Object> defaults) {
        this.defaults = Map.copyOf(defaults);
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.template = Objects.requireNonNull(template, "template");
    }

    @Override
    public TrainerInfo info() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("max_epochs", 50);
        config.put("val_split", 0.2);
        config.put("val_interval", 1);
        config.put("train_batch_size", 2);
        config.put("num_samples", 4);
        config.put("crop_size", 96);
        config.put("flip_prob", 0.0);
        config.put("rotate90", false);
        config.put("learning_rate", 1e-4);
        config.put("lr_schedule", List.of("cosine", "constant"));
        config.put("warmup_iterations", 20);
        config.put("max_train_minutes", 0);
        config.put("early_stop_patience", -1);
        config.put("pretrained", true);
        config.put("seed", 0);
        config.put("keep_versions", 5);
        config.put("cache_memory_mb", defaultCacheMegabytes());
        for (Map.Entry<String, Object> e : defaults.entrySet()) {
            if (!config.containsKey(e.getKey())) {
                throw new IllegalStateException("Trainer '" + name + "': unknown config key '" + e.getKey() + "'");
            }
            config.put(e.getKey(), e.getValue());
        }
        return new TrainerInfo(name, description, config, template.foregroundLabels());
    }

    @Override
    public void open(AppContext appContext) throws IOException {
        this.context = appContext;
        this.device = Devices.resolve(appContext.device());
        Path file = modelFolder().resolve(STATS_FILE);
        if (Files.exists(file)) {
            stats = readStats(file);
        }
    }

    /** A third of the heap for pre-processed studies; the rest is for batches and validation. */
    private static int defaultCacheMegabytes() {
        return (int) Math.max(64, Runtime.getRuntime().maxMemory() / 3 / (1 << 20));
    }

    /** The human-readable log of the training runs, beside the published model. */
    public static final String LOG_FILE = "train.log";

    /**
     * The job's control, with every log line also appended (time-stamped) to {@code file}; the file
     * is rotated to {@code <file>.1} past 1 MiB. A log that cannot be written never stops training.
     */
    private static JobControl withLogFile(JobControl control, Path file) {
        return new JobControl() {
            @Override
            public boolean stopRequested() {
                return control.stopRequested();
            }

            @Override
            public void log(String line) {
                control.log(line);
                try {
                    Files.createDirectories(file.getParent());
                    if (Files.exists(file) && Files.size(file) > (1 << 20)) {
                        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.writeString(file, Instant.now() + " " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    org.slf4j.LoggerFactory.getLogger(SegmentationTrainer.class).warn("Cannot write {}: {}", file, e.toString());
                }
            }

            @Override
            public void progress(Map<String, Object> stats) {
                control.progress(stats);
            }
        };
    }

    /** The stats file beside the published model. */
    public static final String STATS_FILE = "train_stats.json";

    private Path modelFolder() {
        return context.modelDir().resolve(name);
    }

    @Override
    public Map<String, Object> stats() {
        return stats;
    }

    @Override
    public Map<String, Object> train(Params request, JobControl jobControl) throws IOException {
        JobControl control = withLogFile(jobControl, modelFolder().resolve(LOG_FILE));
        Params p = request.withDefaults(info().config());
        int maxEpochs = p.getInt("max_epochs", 50);
        int batch = Math.max(1, p.getInt("train_batch_size", 2));
        int crop = p.getInt("crop_size", 96);
        int samplesPerImage = Math.max(1, p.getInt("num_samples", 4));
        int valInterval = Math.max(1, p.getInt("val_interval", 1));
        int patience = p.getInt("early_stop_patience", -1);
        long seed = p.getInt("seed", 0);
        double budgetMinutes = p.getDouble("max_train_minutes", 0);
        LearningRateSchedule.Kind schedule = LearningRateSchedule.Kind.parse(p.getString("lr_schedule", "cosine"));
        if (crop < 16 || batch > 64 || maxEpochs < 1) {
            throw new org.monailabel.api.error.InvalidInputException(
                    "crop_size must be at least 16, train_batch_size at most 64 and max_epochs at least 1");
        }
        Path folder = modelFolder();
        Path published = folder.resolve(ModelCard.FILE_NAME);
        boolean fineTune = p.getBoolean("pretrained", true) && Files.exists(published);
        ModelCard card = fineTune ? ModelCard.read(published) : template;

        List<TrainingPair> pairs = TrainingData.pairs(context.datastore());
        if (pairs.isEmpty()) {
            throw new TrainingFailedException("Model '" + name + "' has no images with a final label to train on");
        }
        TrainingData.Split split = TrainingData.split(pairs, p.getDouble("val_split", 0.2), seed);
        long startNanos = System.nanoTime();
        PreparedCache cache = new PreparedCache(context.modelDir().resolve(".train-cache").resolve(name),
                (long) p.getInt("cache_memory_mb", defaultCacheMegabytes()) << 20);
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (TrainingPair pair : pairs) { // pre-process (or find in the cache) every study up front
            if (control.stopRequested()) {
                break;
            }
            cache.get(pair, card);
            keys.add(PreparedCache.key(pair, card));
        }
        if (!control.stopRequested()) {
            cache.retainOnly(keys);
        }
        control.log(String.format("Training '%s' on %d images, validating on %d, %s; studies ready in %.1f s %s", name,
                split.train().size(), split.validation().size(),
                fineTune ? "fine-tuning v" + card.version() : "from scratch", (System.nanoTime() - startNanos) / 1e9,
                cache.counters()));

        boolean torchScript = "torchscript".equals(card.network());
        if (torchScript && !fineTune) {
            throw new TrainingFailedException("Model '" + name + "' is a TorchScript model: it can be fine-tuned from its "
                    + "published weights (pretrained=true), not trained from scratch");
        }
        int outChannels = torchScript ? card.labels().values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1
                : UNetConfig.fromMap(card.hyperparameters()).outChannels();
        int[] size = {crop, crop, crop};
        long start = Instant.now().getEpochSecond();
        List<Map<String, Object>> history = new ArrayList<>();
        double best = -1;
        int bestEpoch = -1;
        // numbered after every kept version, so a run after a rollback never overwrites a newer one
        int version = Math.max(card.version(), new ModelVersions(folder, 1).nextVersion() - 1);
        int servedVersion = card.version();
        int epoch = 0;
        boolean stopped = false;
        long trainStart = System.nanoTime();
        stepNanos = 0;
        validationNanos = 0;
        totalIterations = 0;
        long deadline = budgetMinutes > 0 ? trainStart + (long) (budgetMinutes * 60e9) : Long.MAX_VALUE;
        double loaderWait = 0;
        try (Model model = torchScript ? loadTrainableTorchScript(folder, card) : Model.newInstance(name, device);
                BatchLoader loader = new BatchLoader(split.train(), cache, card, size, batch, samplesPerImage,
                        new BatchLoader.Augmentation(p.getDouble("flip_prob", 0), p.getBoolean("rotate90", false), 0.1, 0.1),
                        seed)) {
            Block block = torchScript ? model.getBlock() : UNet.build(UNetConfig.fromMap(card.hyperparameters()));
            if (!torchScript) {
                model.setBlock(block);
                if (fineTune) {
                    // before the trainer exists: trainer.initialize keeps loaded parameters, but weights loaded
                    // after it would be ignored by the optimizer (it holds the initial arrays) and published stale
                    loadWeights(block, folder.resolve(card.weights()), model.getNDManager());
                }
            }
            long totalUpdates = (long) maxEpochs * loader.batchesPerEpoch();
            LearningRateSchedule lr = new LearningRateSchedule(schedule, (float) p.getDouble("learning_rate", 1e-4), 0.02f,
                    fineTune ? 0 : p.getInt("warmup_iterations", 20), totalUpdates,
                    () -> budgetMinutes > 0 ? (System.nanoTime() - trainStart) / (budgetMinutes * 60e9) : 0);
            DefaultTrainingConfig config = new DefaultTrainingConfig(new DiceCeLoss())
                    .optDevices(new Device[] {device})
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build());
            try (Trainer trainer = model.newTrainer(config)) {
                // the initial weights and dropout masks come from the engine's generator: seed it, so a
                // run repeats exactly (as long as nothing else draws from it meanwhile)
                model.getNDManager().getEngine().setRandomSeed((int) seed);
                if (!torchScript) {
                    trainer.initialize(new Shape(batch, 1, crop, crop, crop));
                }
                for (epoch = 1; epoch <= maxEpochs && !stopped; epoch++) {
                    double loss;
                    try {
                        loss = trainEpoch(trainer, loader, size, batch, control, deadline);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        control.log("Interrupted");
                        break;
                    }
                    loaderWait = loader.waitSeconds();
                    if (Double.isNaN(loss)) {
                        stopped = true;
                        break;
                    }
                    boolean outOfTime = System.nanoTime() >= deadline;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("epoch", epoch);
                    row.put("loss", loss);
                    row.put("iterations", lastEpochIterations);
                    row.put("lr", lr.getNewValue(trainerUpdates(epoch, loader)));
                    // a stop request skips validation: the user gets the job back within one iteration,
                    // and the best model published so far stays what is served
                    boolean stopNow = control.stopRequested();
                    if (!stopNow && (epoch % valInterval == 0 || epoch == maxEpochs || outOfTime)) {
                        long v0 = System.nanoTime();
                        double dice = validate(trainer, split.validation().isEmpty() ? split.train() : split.validation(),
                                cache, card, outChannels);
                        validationNanos += System.nanoTime() - v0;
                        row.put("metric", dice);
                        if (dice > best) {
                            best = dice;
                            bestEpoch = epoch;
                            version++;
                            servedVersion = version;
                            publish(card, block, new ModelVersions(context.modelStore(name), p.getInt("keep_versions", 5)), version, best,
                                    epoch, split);
                        } else if (patience > 0 && epoch - bestEpoch >= patience) {
                            control.log("Early stop: no better validation Dice for " + patience + " epochs");
                            stopped = true;
                        }
                    }
                    row.put("seconds", Math.round((System.nanoTime() - trainStart) / 1e7) / 100.0);
                    history.add(row);
                    control.log(String.format("Epoch %d/%d: loss %.4f%s", epoch, maxEpochs, loss,
                            row.containsKey("metric") ? String.format(", Dice %.4f", (double) row.get("metric")) : ""));
                    report(control, epoch, maxEpochs, best, bestEpoch, start, history, false);
                    if (outOfTime) {
                        control.log(String.format("Time budget of %.1f minutes used", budgetMinutes));
                        stopped = true;
                    }
                    stopped |= control.stopRequested();
                }
            }
        }
        Map<String, Object> finalStats = report(control, Math.min(epoch, maxEpochs), maxEpochs, best, bestEpoch, start,
                history, true);
        Map<String, Object> result = new LinkedHashMap<>(finalStats);
        double seconds = (System.nanoTime() - trainStart) / 1e9;
        result.put("loader_wait_share", seconds > 0 ? loaderWait / seconds : 0);
        // forward, loss, backward and optimizer step over the wall time spent training (validation excluded)
        double training = seconds - validationNanos / 1e9;
        result.put("step_share", training > 0 ? stepNanos / 1e9 / training : 0);
        result.put("validation_share", seconds > 0 ? validationNanos / 1e9 / seconds : 0);
        result.put("iterations", totalIterations);
        result.put("version", servedVersion);
        result.put("stopped", control.stopRequested());
        return result;
    }

    /** One epoch: the loader's batches through forward, loss, backward and an optimizer step. */
    private double trainEpoch(Trainer trainer, BatchLoader loader, int[] size, int batch, JobControl control,
            long deadline) throws InterruptedException {
        double total = 0;
        int iterations = 0;
        lastEpochIterations = 0;
        for (int i = 0; i < loader.batchesPerEpoch() && !control.stopRequested() && System.nanoTime() < deadline; i++) {
            BatchLoader.Batch b = loader.next();
            long t0 = System.nanoTime();
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = scope.create(b.images(), new Shape(batch, 1, size[0], size[1], size[2]));
                NDArray y = scope.create(b.labels(), new Shape(batch, 1, size[0], size[1], size[2]));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(prediction));
                    collector.backward(loss);
                    total += loss.getFloat();
                }
                trainer.step();
            }
            stepNanos += System.nanoTime() - t0;
            iterations++;
            lastEpochIterations = iterations;
            totalIterations++;
        }
        return iterations == 0 ? Double.NaN : total / iterations;
    }

    /** Mean Dice over the foreground labels of the validation images (sliding window, eval mode). */
    private static int trainerUpdates(int epoch, BatchLoader loader) {
        return (int) Math.min(Integer.MAX_VALUE, (long) epoch * loader.batchesPerEpoch());
    }

    private double validate(Trainer trainer, List<TrainingPair> validation, PreparedCache cache, ModelCard card,
            int outChannels) throws IOException {
        SlidingWindowInferer inferer = new SlidingWindowInferer(card.roiSize(), card.overlap(), card.swBatchSize(),
                card.blend(), 0.125);
        double sum = 0;
        int count = 0;
        for (TrainingPair pair : validation) {
            TrainingData.Sample s = cache.get(pair, card);
            int[] shape = s.shape();
            org.monailabel.api.image.Volume predicted;
            try (NDManager scope = trainer.getManager().newSubManager()) {
                predicted = inferer.runToLabels(new DenseArray(new int[] {1, shape[0], shape[1], shape[2]}, s.image()),
                        b -> trainer.evaluate(new NDList(b)).singletonOrThrow(), scope, s.affine(), false);
            }
            float[] prediction = DenseArray.fromVolume(predicted).data();
            for (int label = 1; label < outChannels; label++) {
                long inter = 0;
                long a = 0;
                long b = 0;
                for (int i = 0; i < prediction.length; i++) {
                    boolean p = prediction[i] == label;
                    boolean t = (s.label()[i] & 0xff) == label;
                    inter += p && t ? 1 : 0;
                    a += p ? 1 : 0;
                    b += t ? 1 : 0;
                }
                if (a + b > 0) {
                    sum += 2.0 * inter / (a + b);
                    count++;
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    private void publish(ModelCard card, Block block, ModelVersions versions, int version, double best, int epoch,
            TrainingData.Split split) throws IOException {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("trained_at", Instant.now().toString());
        provenance.put("epoch", epoch);
        provenance.put("best_metric", best);
        provenance.put("train_images", split.train().stream().map(TrainingPair::imageId).toList());
        provenance.put("validation_images", split.validation().stream().map(TrainingPair::imageId).toList());
        versions.publish(card.withVersion(version, provenance), block);
    }

    /**
     * A published TorchScript model loaded with its parameters trainable (DJL's PyTorch engine
     * trains a TorchScript module's parameters; the fine-tuned module is saved as TorchScript again).
     */
    private Model loadTrainableTorchScript(Path folder, ModelCard card) throws IOException {
        Model model = Model.newInstance(name, device, "PyTorch");
        try {
            model.load(folder, card.weights(), Map.of("trainParam", "true"));
            return model;
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new TrainingFailedException("'" + card.weights() + "' is not a TorchScript model: " + e.getMessage(), e);
        }
    }

    private static void loadWeights(Block block, Path weights, NDManager manager) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(weights))) {
            block.loadParameters(manager, new DataInputStream(in));
        } catch (MalformedModelException e) {
            throw new TrainingFailedException("Published weights do not fit the network: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> report(JobControl control, int epoch, int maxEpochs, double best, int bestEpoch,
            long start, List<Map<String, Object>> history, boolean finished) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", epoch);
        s.put("total_epochs", maxEpochs);
        s.put("best_metric", Math.max(0, best));
        s.put("best_metric_epoch", bestEpoch);
        s.put("start_ts", start);
        long elapsed = Instant.now().getEpochSecond() - start;
        String clock = String.format("%d:%02d:%02d", elapsed / 3600, elapsed / 60 % 60, elapsed % 60);
        s.put(finished ? "total_time" : "current_time", clock);
        s.put("train", Map.of("epochs", List.copyOf(history)));
        stats = Collections.unmodifiableMap(s);
        control.progress(stats);
        Path folder = modelFolder();
        Files.createDirectories(folder);
        Path tmp = folder.resolve("." + STATS_FILE + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(s), StandardCharsets.UTF_8);
        Files.move(tmp, folder.resolve(STATS_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return stats;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readStats(Path file) throws IOException {
        try {
            Map<String, Object> m = new com.google.gson.Gson().fromJson(Files.readString(file), Map.class);
            return m == null ? Map.of() : Collections.unmodifiableMap(m);
        } catch (com.google.gson.JsonParseException e) {
            return Map.of(); // a stats file from an interrupted writer: show nothing rather than fail to start
        }
    }
}
