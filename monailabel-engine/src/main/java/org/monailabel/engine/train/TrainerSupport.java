package org.monailabel.engine.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.monailabel.api.AppContext;
import org.monailabel.api.JobControl;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.TrainingFailedException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.model.ModelCard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the segmentation and interactive trainers share, held by each for the model it trains: the
 * app's context and device, the card a run starts from, the studies pre-processed (by a {@link
 * StudyPreprocessing}, the card's by default) into a {@link PreparedCache}, the network with the
 * published weights loaded, Adam with a {@link LearningRateSchedule} on {@link DiceCeLoss},
 * publishing the best version, and the stats and log files. Every file of the model is reached
 * through here (see {@link TrainerFiles}). The server runs one training job at a time; {@link
 * #stats} may be read from any thread.
 */
public final class TrainerSupport {
    /** The stats file beside the published model. */
    public static final String STATS_FILE = TrainerFiles.STATS_FILE;

    /** The human-readable log of the training runs, beside the published model. */
    public static final String LOG_FILE = TrainerFiles.LOG_FILE;

    private static final Logger logger = LoggerFactory.getLogger(TrainerSupport.class);

    private final String name;
    private final ModelCard template;
    private final StudyPreprocessing preprocessing;
    private AppContext context;
    private Device device;
    private TrainerFiles files;
    private volatile Map<String, Object> stats = Map.of();

    /**
     * @param name the model trained, and so the trainer's name
     * @param template the card a run starts from when it does not fine-tune a published version
     */
    public TrainerSupport(String name, ModelCard template) {
        this(name, template, StudyPreprocessing.ofCard());
    }

    /**
     * @param name the model trained, and so the trainer's name
     * @param template the card a run starts from when it does not fine-tune a published version
     * @param preprocessing how the studies are brought onto the network's grid
     */
    public TrainerSupport(String name, ModelCard template, StudyPreprocessing preprocessing) {
        this.name = Objects.requireNonNull(name, "name");
        this.template = Objects.requireNonNull(template, "template");
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
    }

    public String name() {
        return name;
    }

    /** Opens for an app: its device, its model folder, and the stats of the last run there. */
    public void open(AppContext appContext) throws IOException {
        this.context = appContext;
        this.device = Devices.resolve(appContext.device());
        this.files = TrainerFiles.of(appContext, name);
        if (Files.exists(files.statsFile())) {
            stats = readStats(files.statsFile());
        }
    }

    /** The latest run's statistics (see {@link #report}); empty when never trained. */
    public Map<String, Object> stats() {
        return stats;
    }

    /**
     * The card a run starts from.
     *
     * @param card the published card when fine-tuning, else the template
     * @param fineTune whether the run starts from the published weights
     */
    public record Start(ModelCard card, boolean fineTune) {}

    /**
     * Fine-tunes the published version when {@code pretrained} and there is one; else starts from
     * the template.
     */
    public Start start(boolean pretrained) throws IOException {
        Path published = files.publishedCard();
        boolean fineTune = pretrained && Files.exists(published);
        return new Start(fineTune ? ModelCard.read(published) : template, fineTune);
    }

    /**
     * The studies of a run.
     *
     * @param pairs every image with a final label, in the datastore's order
     * @param split those trained on and those validated on
     * @param cache the studies pre-processed, bounded on the heap, spilled to disk
     */
    public record TrainingSet(
            List<TrainingPair> pairs, TrainingData.Split split, PreparedCache cache) {
        /**
         * Pre-processes every study up front (or finds it in the cache), handing each to {@code
         * each}, until a stop is requested; a complete pass drops what other runs left in the
         * cache.
         */
        public void prepareAll(
                ModelCard card,
                JobControl control,
                BiConsumer<TrainingPair, TrainingData.Sample> each)
                throws IOException {
            Set<String> keys = new HashSet<>();
            for (TrainingPair pair : pairs) {
                if (control.stopRequested()) {
                    break;
                }
                TrainingData.Sample sample = cache.get(pair, card);
                keys.add(cache.keyOf(pair, card));
                each.accept(pair, sample);
            }
            if (!control.stopRequested()) {
                cache.retainOnly(keys);
            }
        }
    }

    /**
     * The datastore's images with a final label, split by {@code val_split} and {@code seed}, with
     * a cache of {@code cache_memory_mb}; nothing is pre-processed yet.
     *
     * @throws TrainingFailedException when no image has a final label
     */
    public TrainingSet trainingSet(TrainSettings settings) throws IOException {
        List<TrainingPair> pairs = TrainingData.pairs(context.datastore());
        if (pairs.isEmpty()) {
            throw new TrainingFailedException(
                    "Model '" + name + "' has no images with a final label to train on");
        }
        TrainingData.Split split = TrainingData.split(pairs, settings.valSplit(), settings.seed());
        PreparedCache cache =
                new PreparedCache(
                        files.cacheFolder(), (long) settings.cacheMemoryMb() << 20, preprocessing);
        return new TrainingSet(pairs, split, cache);
    }

    /**
     * The newest version number in use: the card's or that of the newest kept version, so that a
     * run after a rollback never overwrites a newer one.
     */
    public int newestVersion(ModelCard card) throws IOException {
        return Math.max(card.version(), files.versions(1).nextVersion() - 1);
    }

    /**
     * A model holding {@code block} on the app's device, with the published weights of {@code card}
     * loaded when fine-tuning. They are loaded before a trainer exists: {@code trainer.initialize}
     * keeps loaded parameters, but weights loaded after it would be ignored by the optimizer (it
     * holds the initial arrays) and published stale.
     */
    public Model newModel(Block block, ModelCard card, boolean fineTune) throws IOException {
        Model model = Model.newInstance(name, device);
        try {
            model.setBlock(block);
            if (fineTune) {
                loadWeights(block, files.weights(card), model.getNDManager());
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * A published TorchScript model loaded with its parameters trainable (DJL's PyTorch engine
     * trains a TorchScript module's parameters; the fine-tuned module is saved as TorchScript
     * again).
     *
     * @throws TrainingFailedException if the file is not TorchScript, or has no parameters to train
     *     (a module frozen by {@code torch.jit.freeze} holds its weights as constants)
     */
    public Model loadTrainableTorchScript(ModelCard card) throws IOException {
        Model model = Model.newInstance(name, device, "PyTorch");
        try {
            model.load(files.modelFolder(), card.weights(), Map.of("trainParam", "true"));
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new TrainingFailedException(
                    "'" + card.weights() + "' is not a TorchScript model: " + e.getMessage(), e);
        }
        if (model.getBlock().getParameters().isEmpty()) {
            model.close();
            throw new TrainingFailedException(
                    "Model '"
                            + name
                            + "': the TorchScript '"
                            + card.weights()
                            + "' has no parameters to train (a module frozen with"
                            + " torch.jit.freeze keeps its weights as constants); it can be served,"
                            + " not fine-tuned");
        }
        return model;
    }

    private static void loadWeights(Block block, Path weights, NDManager manager)
            throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(weights))) {
            block.loadParameters(manager, new DataInputStream(in));
        } catch (MalformedModelException e) {
            throw new TrainingFailedException(
                    "Published weights do not fit the network: " + e.getMessage(), e);
        }
    }

    /**
     * The run's learning rate: {@code learning_rate} on {@code lr_schedule} down to 2% of it,
     * warmed up over {@code warmup_iterations} unless fine-tuning, decaying with the updates done
     * and the time budget used.
     */
    public static LearningRateSchedule learningRate(
            TrainSettings settings, boolean fineTune, long totalUpdates, TrainingRun run) {
        return new LearningRateSchedule(
                settings.lrSchedule(),
                (float) settings.learningRate(),
                0.02f,
                fineTune ? 0 : settings.warmupIterations(),
                totalUpdates,
                run::budgetUsed);
    }

    /**
     * A trainer of {@code model}: Dice + cross-entropy, Adam at {@code lr}, on the app's device;
     * the engine's generator (initial weights, dropout masks) seeded, so a run repeats exactly as
     * long as nothing else draws from it meanwhile.
     */
    public Trainer newTrainer(Model model, LearningRateSchedule lr, int seed) {
        DefaultTrainingConfig config =
                new DefaultTrainingConfig(new DiceCeLoss())
                        .optDevices(new Device[] {device})
                        .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build());
        Trainer trainer = model.newTrainer(config);
        model.getNDManager().getEngine().setRandomSeed(seed);
        return trainer;
    }

    /**
     * Publishes {@code block} as {@code version} of {@code card}, the run's best so far, where the
     * task of the same name serves it, keeping the newest {@code keepVersions}. The provenance says
     * when, from which epoch, the metric, {@code extra}, and the studies trained and validated on.
     */
    public void publishBest(
            ModelCard card,
            Block block,
            int version,
            TrainingRun run,
            TrainingData.Split split,
            int keepVersions,
            Map<String, Object> extra)
            throws IOException {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("trained_at", Instant.now().toString());
        provenance.put("epoch", run.bestEpoch());
        provenance.put("best_metric", run.best());
        provenance.putAll(extra);
        provenance.put("train_images", split.train().stream().map(TrainingPair::imageId).toList());
        provenance.put(
                "validation_images",
                split.validation().stream().map(TrainingPair::imageId).toList());
        files.versions(keepVersions).publish(card.withVersion(version, provenance), block);
    }

    /**
     * Reports the run's statistics after {@code epoch}: to the job, to {@link #stats}, and to the
     * stats file (replaced atomically).
     */
    public Map<String, Object> report(
            JobControl control, TrainingRun run, int epoch, boolean finished) throws IOException {
        Map<String, Object> s = run.stats(epoch, finished);
        stats = Collections.unmodifiableMap(s);
        control.progress(stats);
        Path file = files.statsFile();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(
                tmp,
                new GsonBuilder().setPrettyPrinting().create().toJson(s),
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return stats;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readStats(Path file) throws IOException {
        try {
            Map<String, Object> m = new Gson().fromJson(Files.readString(file), Map.class);
            return m == null ? Map.of() : Collections.unmodifiableMap(m);
        } catch (JsonParseException e) {
            return Map
                    .of(); // a stats file from an interrupted writer: show nothing rather than fail
            // to start
        }
    }

    /**
     * The job's control, with every log line also appended (time-stamped) to the log file beside
     * the model; the file is rotated to {@code <file>.1} past 1 MiB. A log that cannot be written
     * never stops training.
     */
    public JobControl withLogFile(JobControl control) {
        Path file = files.logFile();
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
                        Path rotated = file.resolveSibling(file.getFileName() + ".1");
                        Files.move(file, rotated, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.writeString(
                            file,
                            Instant.now() + " " + line + System.lineSeparator(),
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    logger.warn("Cannot write {}: {}", file, e.toString());
                }
            }

            @Override
            public void progress(Map<String, Object> stats) {
                control.progress(stats);
            }
        };
    }
}
