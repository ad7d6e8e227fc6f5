package org.monailabel.engine.interactive;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.monailabel.api.AppContext;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.train.DiceCeLoss;
import org.monailabel.engine.train.LearningRateSchedule;
import org.monailabel.engine.train.PreparedCache;
import org.monailabel.engine.train.TrainSettings;
import org.monailabel.engine.train.TrainerSupport;
import org.monailabel.engine.train.TrainingData;
import org.monailabel.engine.train.TrainingRun;

/**
 * Trains a DeepGrow or DeepEdit model from the datastore's final labels with a simulated user
 * ({@link ClickSimulator}), as the DeepGrow and DeepEdit papers do. Per iteration and sample:
 *
 * <ul>
 *   <li>DeepGrow: one labelled structure at random; a first positive click drawn inside it; the
 *       crop of the card's {@code roi_size} around that click (shifted by up to {@code jitter}
 *       voxels, as more clicks move the crop at inference); then {@code 0..max_rounds} rounds
 *       (drawn once per batch) in which the network, in evaluation mode, predicts and one click is
 *       added inside the larger error region; the network then learns from the last guidance.
 *   <li>DeepEdit: a crop of {@code crop_size} from the whole volume; with probability {@code
 *       auto_probability} no clicks at all (the automatic mode); otherwise a first click per label
 *       present (background included), then {@code 0..max_rounds} rounds adding a click per label
 *       into that label's false-negative region.
 * </ul>
 *
 * Shares the segmentation trainer's pieces through {@link TrainerSupport}: the bounded {@link
 * PreparedCache} of pre-processed studies, {@link DiceCeLoss}, Adam with {@link
 * LearningRateSchedule}, and {@link ModelVersions} to publish the best version (by validation Dice
 * after {@code val_clicks} deterministic clicks) where the task of the same name serves it. A stop
 * request is honoured within one iteration.
 */
public class InteractiveTrainer implements TrainTask {
    /** What is trained. */
    public enum Kind {
        DEEPGROW,
        DEEPEDIT
    }

    /** The stats file beside the published model. */
    public static final String STATS_FILE = TrainerSupport.STATS_FILE;

    private final String description;
    private final ModelCard template;
    private final Kind kind;
    private final Settings defaults;
    private final TrainerSupport support;

    /**
     * An interactive trainer's settings: those every trainer has, and the simulated user's. {@link
     * #defaults()} are the built-in ones, an app's overrides and each request are merged over them
     * ({@link #merge}), and {@link #config()} is what {@code /info/} shows. DeepGrow crops the
     * card's {@code roi_size} and ignores {@code crop_size} and {@code auto_probability}.
     *
     * @param train the settings every trainer has
     * @param maxRounds {@code max_rounds}: rounds of corrective clicks at most per batch (0 or
     *     more)
     * @param autoProbability {@code auto_probability}: DeepEdit's share of samples without clicks
     * @param jitter {@code jitter}: DeepGrow's crop shift around the first click, in voxels (0 or
     *     more)
     * @param valClicks {@code val_clicks}: clicks per structure in validation (at least 1)
     */
    public record Settings(
            TrainSettings train, int maxRounds, double autoProbability, int jitter, int valClicks) {
        public Settings {
            Objects.requireNonNull(train, "train");
            maxRounds = Math.max(0, maxRounds);
            jitter = Math.max(0, jitter);
            valClicks = Math.max(1, valClicks);
        }

        /** The built-in defaults. */
        public static Settings defaults() {
            return new Settings(
                    new TrainSettings(
                            50,
                            0.2,
                            1,
                            4,
                            4,
                            80,
                            1e-3,
                            LearningRateSchedule.Kind.COSINE,
                            20,
                            0,
                            true,
                            0,
                            5,
                            TrainSettings.defaultCacheMegabytes()),
                    4,
                    0.3,
                    4,
                    3);
        }

        /** These settings with those the request sets instead. */
        public Settings merge(Params request) {
            return new Settings(
                    train.merge(request),
                    request.getInt("max_rounds", maxRounds),
                    request.getDouble("auto_probability", autoProbability),
                    request.getInt("jitter", jitter),
                    request.getInt("val_clicks", valClicks));
        }

        /** The settings as {@code /info/} shows them. */
        public Map<String, Object> config() {
            Map<String, Object> config = new LinkedHashMap<>();
            train.putSampling(config);
            config.put("max_rounds", maxRounds);
            config.put("auto_probability", autoProbability);
            config.put("jitter", jitter);
            config.put("val_clicks", valClicks);
            train.putOptimizer(config);
            train.putRun(config);
            return config;
        }

        private void checkRunnable() {
            if (train.batchSize() > 64 || train.maxEpochs() < 1) {
                throw new InvalidInputException(
                        "train_batch_size must be at most 64 and max_epochs at least 1");
            }
        }
    }

    /**
     * @param defaults the app's own defaults for the training config, shown in {@code /info/} and
     *     used when a request does not set them
     * @throws IllegalStateException for a key the trainer does not have
     */
    protected InteractiveTrainer(
            String name,
            String description,
            ModelCard template,
            Kind kind,
            Map<String, Object> defaults) {
        this.support = new TrainerSupport(name, template);
        this.description = Objects.requireNonNull(description, "description");
        this.template = template;
        this.kind = Objects.requireNonNull(kind, "kind");
        Settings builtIn = Settings.defaults();
        this.defaults =
                builtIn.merge(TrainSettings.overrides(name, defaults, builtIn.config().keySet()));
    }

    @Override
    public TrainerInfo info() {
        return new TrainerInfo(
                support.name(), description, defaults.config(), template.foregroundLabels());
    }

    /**
     * The settings of a run with these request parameters: the request over the trainer's defaults.
     */
    public Settings settings(Params request) {
        return defaults.merge(request);
    }

    @Override
    public void open(AppContext appContext) throws IOException {
        support.open(appContext);
    }

    @Override
    public Map<String, Object> stats() {
        return support.stats();
    }

    @Override
    public Map<String, Object> train(Params request, JobControl control) throws IOException {
        Settings settings = settings(request);
        settings.checkRunnable();
        TrainSettings t = settings.train();
        TrainerSupport.Start start = support.start(t.pretrained());
        ModelCard card = start.card();
        UNetConfig net = UNetConfig.fromMap(card.hyperparameters());
        int[] size = cropSize(t, card, net);
        TrainerSupport.TrainingSet studies = support.trainingSet(t);
        Studies prepared = prepare(studies, start, control);
        ClickRounds rounds =
                new ClickRounds(kind, card, settings, size, InteractiveTask.padValue(card));
        Run run =
                new Run(settings, start, studies, prepared, rounds, net, size, control)
                        .numberedAfter(support.newestVersion(start.card()));
        try (Model model = support.newModel(UNet.build(net), card, start.fineTune())) {
            LearningRateSchedule lr =
                    TrainerSupport.learningRate(
                            t, start.fineTune(), (long) t.maxEpochs() * run.perEpoch, run.progress);
            try (Trainer trainer = support.newTrainer(model, lr, t.seed())) {
                trainer.initialize(
                        new Shape(t.batchSize(), net.inChannels(), size[0], size[1], size[2]));
                run.epochs(trainer, model.getBlock());
            }
        }
        return run.result();
    }

    /**
     * DeepGrow's crops are the card's {@code roi_size}, DeepEdit's {@code crop_size}; checked
     * against the net.
     */
    private int[] cropSize(TrainSettings settings, ModelCard card, UNetConfig net) {
        int crop = settings.cropSize();
        int[] size = kind == Kind.DEEPGROW ? card.roiSize() : new int[] {crop, crop, crop};
        for (int s : size) {
            if (s < 16 || s % net.divisor() != 0) {
                throw new InvalidInputException(
                        "Crop sizes must be at least 16 and multiples of " + net.divisor());
            }
        }
        return size;
    }

    /**
     * The pre-processed studies of a run.
     *
     * @param validation the validation studies, or the training ones when none are kept apart
     */
    private record Studies(List<Study> train, List<Study> validation) {}

    /** Pre-processes every study (or finds it in the cache) before the first epoch. */
    private Studies prepare(
            TrainerSupport.TrainingSet studies, TrainerSupport.Start start, JobControl control)
            throws IOException {
        List<Study> train = new ArrayList<>();
        List<Study> validation = new ArrayList<>();
        studies.prepareAll(
                start.card(),
                control,
                (pair, sample) ->
                        (studies.split().validation().contains(pair) ? validation : train)
                                .add(Study.of(sample)));
        Studies prepared = new Studies(train, validation.isEmpty() ? train : validation);
        control.log(
                String.format(
                        "Training '%s' (%s) on %d images, validating on %d, %s",
                        support.name(),
                        kind,
                        train.size(),
                        prepared.validation().size(),
                        start.fineTune()
                                ? "fine-tuning v" + start.card().version()
                                : "from scratch"));
        return prepared;
    }

    /**
     * One run: what it trains on, the simulated user, its progress and the versions it published.
     */
    private final class Run {
        final Settings settings;
        final ModelCard card;
        final TrainingData.Split split;
        final Studies prepared;
        final ClickRounds rounds;
        final int channels;
        final int[] size;
        final JobControl control;
        final Random random;
        final TrainingRun progress;
        final int perEpoch;

        /** The version last published, or the card's. */
        int version;

        /** The number the last publish took: versions are numbered after every kept one. */
        int numbered;

        int epoch;

        Run(
                Settings settings,
                TrainerSupport.Start start,
                TrainerSupport.TrainingSet studies,
                Studies prepared,
                ClickRounds rounds,
                UNetConfig net,
                int[] size,
                JobControl control) {
            this.settings = settings;
            this.card = start.card();
            this.split = studies.split();
            this.prepared = prepared;
            this.rounds = rounds;
            this.channels = net.inChannels();
            this.size = size;
            this.control = control;
            this.random = new Random(settings.train().seed());
            this.progress = new TrainingRun(settings.train());
            int batch = settings.train().batchSize();
            this.perEpoch =
                    Math.max(
                            1,
                            (prepared.train().size() * settings.train().numSamples() + batch - 1)
                                    / batch);
            this.version = card.version();
        }

        /**
         * Numbers this run's versions after every kept one, so a run after a rollback never
         * overwrites a newer one.
         */
        Run numberedAfter(int newest) {
            this.numbered = newest;
            return this;
        }

        /** The epochs until the last, a stop or the time budget. */
        void epochs(Trainer trainer, Block block) throws IOException {
            int maxEpochs = progress.maxEpochs();
            boolean stopped = false;
            for (epoch = 1; epoch <= maxEpochs && !stopped; epoch++) {
                double loss = 0;
                int iterations = 0;
                for (int i = 0;
                        i < perEpoch
                                && !control.stopRequested()
                                && System.nanoTime() < progress.deadline();
                        i++) {
                    loss += iteration(trainer);
                    iterations++;
                }
                if (iterations == 0) {
                    break;
                }
                boolean outOfTime = progress.outOfTime();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("epoch", epoch);
                row.put("loss", loss / iterations);
                row.put("iterations", iterations);
                if (!control.stopRequested()
                        && (epoch % settings.train().valInterval() == 0
                                || epoch == maxEpochs
                                || outOfTime)) {
                    validateAndPublish(trainer, block, row);
                }
                progress.addEpoch(row);
                control.log(String.format("Epoch %d/%d: %s", epoch, maxEpochs, row));
                support.report(control, progress, epoch, false);
                stopped = outOfTime || control.stopRequested();
            }
        }

        /**
         * One batch: samples with their first clicks, simulated rounds, then an optimizer step;
         * returns the loss.
         */
        private double iteration(Trainer trainer) {
            List<Study> train = prepared.train();
            List<ClickRounds.State> states = new ArrayList<>(settings.train().batchSize());
            for (int b = 0; b < settings.train().batchSize(); b++) {
                states.add(rounds.start(train.get(random.nextInt(train.size())), random));
            }
            rounds.simulate(
                    states,
                    random.nextInt(settings.maxRounds() + 1),
                    random,
                    (x, n, sz) -> evaluate(trainer, x, n, channels, sz));
            return step(trainer, states, channels, size);
        }

        /**
         * Validates with deterministic clicks into the epoch's row; publishes the network if it is
         * the best yet.
         */
        private void validateAndPublish(Trainer trainer, Block block, Map<String, Object> row)
                throws IOException {
            Map<String, Double> metrics =
                    rounds.validate(
                            prepared.validation(),
                            (x, n, sz) -> evaluate(trainer, x, n, channels, sz));
            row.putAll(metrics);
            if (progress.improves(metrics.get("metric"), epoch)) {
                version = ++numbered;
                Map<String, Object> clicks =
                        Map.of(
                                "max_rounds",
                                settings.maxRounds(),
                                "auto_probability",
                                kind == Kind.DEEPEDIT ? settings.autoProbability() : 0,
                                "val_clicks",
                                settings.valClicks());
                support.publishBest(
                        card,
                        block,
                        version,
                        progress,
                        split,
                        settings.train().keepVersions(),
                        Map.of("simulated_clicks", clicks));
            }
        }

        /** The final statistics, the version served and whether the run was stopped. */
        Map<String, Object> result() throws IOException {
            Map<String, Object> result =
                    new LinkedHashMap<>(
                            support.report(
                                    control,
                                    progress,
                                    Math.min(epoch, progress.maxEpochs()),
                                    true));
            result.put("version", version);
            result.put("stopped", control.stopRequested());
            return result;
        }
    }

    /** The network in evaluation mode on a batch of inputs; logits as a flat array. */
    private static float[] evaluate(
            Trainer trainer, float[] inputs, int batch, int channels, int[] size) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.create(inputs, new Shape(batch, channels, size[0], size[1], size[2]));
            return trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
        }
    }

    /** One optimizer step on the batch's last guidance; returns the loss. */
    private static double step(
            Trainer trainer, List<ClickRounds.State> states, int channels, int[] size) {
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
            NDArray x =
                    scope.create(
                            inputs, new Shape(states.size(), channels, size[0], size[1], size[2]));
            NDArray y =
                    scope.create(labels, new Shape(states.size(), 1, size[0], size[1], size[2]));
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
}
