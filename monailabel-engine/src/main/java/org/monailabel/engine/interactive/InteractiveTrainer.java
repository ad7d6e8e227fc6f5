package org.monailabel.engine.interactive;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.monailabel.api.AppContext;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.TrainingFailedException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.train.DiceCeLoss;
import org.monailabel.engine.train.LearningRateSchedule;
import org.monailabel.engine.train.PreparedCache;
import org.monailabel.engine.train.TrainingData;

/**
 * Trains a DeepGrow or DeepEdit model from the datastore's final labels with a simulated user
 * ({@link ClickSimulator}), as the DeepGrow and DeepEdit papers do. Per iteration and sample:
 *
 * <ul>
 *   <li>DeepGrow: one labelled structure at random; a first positive click drawn inside it; the
 *       crop of the card's {@code roi_size} around that click (shifted by up to {@code jitter}
 *       voxels, as more clicks move the crop at inference); then {@code 0..max_rounds} rounds
 *       (drawn once per batch) in which the network, in evaluation mode, predicts and one click
 *       is added inside the larger error region; the network then learns from the last guidance.
 *   <li>DeepEdit: a crop of {@code crop_size} from the whole volume; with probability {@code
 *       auto_probability} no clicks at all (the automatic mode); otherwise a first click per label
 *       present (background included), then {@code 0..max_rounds} rounds adding a click per label
 *       into that label's false-negative region.
 * </ul>
 *
 * Reuses the segmentation trainer's pieces: the bounded {@link PreparedCache} of pre-processed
 * studies, {@link DiceCeLoss}, Adam with {@link LearningRateSchedule}, and {@link ModelVersions}
 * to publish the best version (by validation Dice after {@code val_clicks} deterministic clicks)
 * where the task of the same name serves it. A stop request is honoured within one iteration.
 */
public class InteractiveTrainer implements TrainTask {
    /** What is trained. */
    public enum Kind {
        DEEPGROW,
        DEEPEDIT
    }

    /** The stats file beside the published model. */
    public static final String STATS_FILE = "train_stats.json";

    private final String name;
    private final String description;
    private final ModelCard template;
    private final Kind kind;
    private final Map<String, Object> defaults;
    private AppContext context;
    private Device device;
    private volatile Map<String, Object> stats = Map.of();

    protected InteractiveTrainer(String name, String description, ModelCard template, Kind kind,
            Map<String, Object> defaults) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.template = Objects.requireNonNull(template, "template");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.defaults = Map.copyOf(defaults);
    }

    @Override
    public TrainerInfo info() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("max_epochs", 50);
        config.put("val_split", 0.2);
        config.put("val_interval", 1);
        config.put("train_batch_size", 4);
        config.put("num_samples", 4);
        config.put("crop_size", 80);
        config.put("max_rounds", 4);
        config.put("auto_probability", 0.3);
        config.put("jitter", 4);
        config.put("val_clicks", 3);
        config.put("learning_rate", 1e-3);
        config.put("lr_schedule", List.of("cosine", "constant"));
        config.put("warmup_iterations", 20);
        config.put("max_train_minutes", 0);
        config.put("pretrained", true);
        config.put("seed", 0);
        config.put("keep_versions", 5);
        config.put("cache_memory_mb", (int) Math.max(64, Runtime.getRuntime().maxMemory() / 3 / (1 << 20)));
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
        Path file = context.modelDir().resolve(name).resolve(STATS_FILE);
        if (Files.exists(file)) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = new com.google.gson.Gson().fromJson(Files.readString(file), Map.class);
                stats = m == null ? Map.of() : Collections.unmodifiableMap(m);
            } catch (com.google.gson.JsonParseException e) {
                stats = Map.of(); // a stats file from an interrupted writer
            }
        }
    }

    @Override
    public Map<String, Object> stats() {
        return stats;
    }

    /** The settings of one run. */
    record Settings(int batch, int[] size, int maxRounds, double autoProbability, int jitter, int valClicks) {}

    @Override
    public Map<String, Object> train(Params request, JobControl control) throws IOException {
        Params p = request.withDefaults(info().config());
        int maxEpochs = p.getInt("max_epochs", 50);
        int batch = Math.max(1, p.getInt("train_batch_size", 4));
        int valInterval = Math.max(1, p.getInt("val_interval", 1));
        long seed = p.getInt("seed", 0);
        double budgetMinutes = p.getDouble("max_train_minutes", 0);
        if (batch > 64 || maxEpochs < 1) {
            throw new InvalidInputException("train_batch_size must be at most 64 and max_epochs at least 1");
        }
        Path folder = context.modelDir().resolve(name);
        Path published = folder.resolve(ModelCard.FILE_NAME);
        boolean fineTune = p.getBoolean("pretrained", true) && Files.exists(published);
        ModelCard card = fineTune ? ModelCard.read(published) : template;
        UNetConfig net = UNetConfig.fromMap(card.hyperparameters());
        int crop = p.getInt("crop_size", 80);
        int[] size = kind == Kind.DEEPGROW ? card.roiSize() : new int[] {crop, crop, crop};
        for (int s : size) {
            if (s < 16 || s % net.divisor() != 0) {
                throw new InvalidInputException("Crop sizes must be at least 16 and multiples of " + net.divisor());
            }
        }
        Settings settings = new Settings(batch, size, Math.max(0, p.getInt("max_rounds", 4)),
                p.getDouble("auto_probability", 0.3), Math.max(0, p.getInt("jitter", 4)),
                Math.max(1, p.getInt("val_clicks", 3)));

        List<TrainingPair> pairs = TrainingData.pairs(context.datastore());
        if (pairs.isEmpty()) {
            throw new TrainingFailedException("Model '" + name + "' has no images with a final label to train on");
        }
        TrainingData.Split split = TrainingData.split(pairs, p.getDouble("val_split", 0.2), seed);
        PreparedCache cache = new PreparedCache(context.modelDir().resolve(".train-cache").resolve(name),
                (long) p.getInt("cache_memory_mb", 1024) << 20);
        Set<String> keys = new HashSet<>();
        List<Study> trainStudies = new ArrayList<>();
        List<Study> valStudies = new ArrayList<>();
        for (TrainingPair pair : pairs) {
            if (control.stopRequested()) {
                break;
            }
            Study study = Study.of(cache.get(pair, card));
            keys.add(PreparedCache.key(pair, card));
            (split.validation().contains(pair) ? valStudies : trainStudies).add(study);
        }
        if (!control.stopRequested()) {
            cache.retainOnly(keys);
        }
        if (valStudies.isEmpty()) {
            valStudies = trainStudies;
        }
        control.log(String.format("Training '%s' (%s) on %d images, validating on %d, %s", name, kind,
                trainStudies.size(), valStudies.size(), fineTune ? "fine-tuning v" + card.version() : "from scratch"));

        ClickRounds rounds = new ClickRounds(kind, card, settings, padValue(card));
        Random random = new Random(seed);
        long trainStart = System.nanoTime();
        long deadline = budgetMinutes > 0 ? trainStart + (long) (budgetMinutes * 60e9) : Long.MAX_VALUE;
        long start = Instant.now().getEpochSecond();
        int perEpoch = Math.max(1, (trainStudies.size() * Math.max(1, p.getInt("num_samples", 4)) + batch - 1) / batch);
        List<Map<String, Object>> history = new ArrayList<>();
        double best = -1;
        int bestEpoch = -1;
        int version = card.version();
        int epoch = 0;
        try (Model model = Model.newInstance(name, device)) {
            Block block = UNet.build(net);
            model.setBlock(block);
            if (fineTune) {
                // before the trainer exists: trainer.initialize keeps loaded parameters, but weights loaded
                // after it would be ignored by the optimizer (it holds the initial arrays) and published stale
                loadWeights(block, folder.resolve(card.weights()), model.getNDManager());
            }
            LearningRateSchedule lr = new LearningRateSchedule(
                    LearningRateSchedule.Kind.parse(p.getString("lr_schedule", "cosine")),
                    (float) p.getDouble("learning_rate", 1e-3), 0.02f, fineTune ? 0 : p.getInt("warmup_iterations", 20),
                    (long) maxEpochs * perEpoch,
                    () -> budgetMinutes > 0 ? (System.nanoTime() - trainStart) / (budgetMinutes * 60e9) : 0);
            DefaultTrainingConfig config = new DefaultTrainingConfig(new DiceCeLoss())
                    .optDevices(new Device[] {device})
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build());
            try (Trainer trainer = model.newTrainer(config)) {
                model.getNDManager().getEngine().setRandomSeed((int) seed);
                trainer.initialize(new Shape(batch, net.inChannels(), size[0], size[1], size[2]));
                boolean stopped = false;
                for (epoch = 1; epoch <= maxEpochs && !stopped; epoch++) {
                    double loss = 0;
                    int iterations = 0;
                    for (int i = 0; i < perEpoch && !control.stopRequested() && System.nanoTime() < deadline; i++) {
                        List<ClickRounds.State> states = new ArrayList<>(batch);
                        for (int b = 0; b < batch; b++) {
                            states.add(rounds.start(trainStudies.get(random.nextInt(trainStudies.size())), random));
                        }
                        rounds.simulate(states, random.nextInt(settings.maxRounds() + 1), random,
                                (x, n, sz) -> evaluate(trainer, x, n, net.inChannels(), sz));
                        loss += step(trainer, states, net.inChannels(), size);
                        iterations++;
                    }
                    if (iterations == 0) {
                        break;
                    }
                    boolean outOfTime = System.nanoTime() >= deadline;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("epoch", epoch);
                    row.put("loss", loss / iterations);
                    row.put("iterations", iterations);
                    if (!control.stopRequested() && (epoch % valInterval == 0 || epoch == maxEpochs || outOfTime)) {
                        Map<String, Double> metrics = rounds.validate(valStudies,
                                (x, n, sz) -> evaluate(trainer, x, n, net.inChannels(), sz));
                        row.putAll(metrics);
                        double dice = metrics.get("metric");
                        if (dice > best) {
                            best = dice;
                            bestEpoch = epoch;
                            version++;
                            Map<String, Object> provenance = new LinkedHashMap<>();
                            provenance.put("trained_at", Instant.now().toString());
                            provenance.put("epoch", epoch);
                            provenance.put("best_metric", best);
                            provenance.put("simulated_clicks", Map.of("max_rounds", settings.maxRounds(),
                                    "auto_probability", kind == Kind.DEEPEDIT ? settings.autoProbability() : 0,
                                    "val_clicks", settings.valClicks()));
                            provenance.put("train_images", split.train().stream().map(TrainingPair::imageId).toList());
                            provenance.put("validation_images",
                                    split.validation().stream().map(TrainingPair::imageId).toList());
                            new ModelVersions(context.modelStore(name), p.getInt("keep_versions", 5))
                                    .publish(card.withVersion(version, provenance), block);
                        }
                    }
                    row.put("seconds", Math.round((System.nanoTime() - trainStart) / 1e7) / 100.0);
                    history.add(row);
                    control.log(String.format("Epoch %d/%d: %s", epoch, maxEpochs, row));
                    report(control, epoch, maxEpochs, best, bestEpoch, start, history, false);
                    stopped = outOfTime || control.stopRequested();
                }
            }
        }
        Map<String, Object> result = new LinkedHashMap<>(report(control, Math.min(epoch, maxEpochs), maxEpochs, best,
                bestEpoch, start, history, true));
        result.put("version", version);
        result.put("stopped", control.stopRequested());
        return result;
    }

    /** The network in evaluation mode on a batch of inputs; logits as a flat array. */
    private static float[] evaluate(Trainer trainer, float[] inputs, int batch, int channels, int[] size) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.create(inputs, new Shape(batch, channels, size[0], size[1], size[2]));
            return trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
        }
    }

    /** One optimizer step on the batch's last guidance; returns the loss. */
    private static double step(Trainer trainer, List<ClickRounds.State> states, int channels, int[] size) {
        int voxels = size[0] * size[1] * size[2];
        float[] inputs = ClickRounds.inputs(states, channels, voxels);
        float[] labels = new float[states.size() * voxels];
        for (int b = 0; b < states.size(); b++) {
            byte[] truth = states.get(b).truth();
            for (int i = 0; i < voxels; i++) {
                labels[b * voxels + i] = truth[i];
            }
        }
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.create(inputs, new Shape(states.size(), channels, size[0], size[1], size[2]));
            NDArray y = scope.create(labels, new Shape(states.size(), 1, size[0], size[1], size[2]));
            double loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray value = trainer.getLoss().evaluate(new NDList(y), new NDList(prediction));
                collector.backward(value);
                loss = value.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    private static float padValue(ModelCard card) {
        return InteractiveTask.padValue(card);
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
        s.put(finished ? "total_time" : "current_time",
                String.format("%d:%02d:%02d", elapsed / 3600, elapsed / 60 % 60, elapsed % 60));
        s.put("train", Map.of("epochs", List.copyOf(history)));
        stats = Collections.unmodifiableMap(s);
        control.progress(stats);
        Path folder = context.modelDir().resolve(name);
        Files.createDirectories(folder);
        Path tmp = folder.resolve("." + STATS_FILE + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(s), StandardCharsets.UTF_8);
        Files.move(tmp, folder.resolve(STATS_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return stats;
    }
}
