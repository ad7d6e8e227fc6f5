package org.monailabel.engine.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.AppContext;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.TrainTask;
import org.monailabel.api.TrainerInfo;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.TrainingFailedException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

/**
 * Trains a segmentation model from the datastore's {@code final} labels: studies pre-processed once
 * into a bounded {@link PreparedCache} (heap LRU over a disk cache in the model directory), random
 * crops balanced between foreground and background ({@code num_samples} per study and epoch) with
 * optional flips and rotations ({@code flip_prob}, {@code rotate90}; off by default because they
 * swap left and right organs) and intensity jitter, all from one seeded generator; batches prepared
 * on a loader thread; Dice + cross-entropy, Adam with a warm-up and cosine decay ({@code
 * lr_schedule}); validation Dice with sliding-window inference every {@code val_interval} epochs;
 * the best model published atomically as a new version into the folder the {@code SegmentationTask}
 * of the same name serves from; early stopping, a time budget ({@code max_train_minutes}), and a
 * stop request honoured within one iteration. Fine-tunes the published version ({@code pretrained},
 * also a TorchScript one) or starts from the template card. Studies are pre-processed as the card
 * says unless a {@link StudyPreprocessing} says otherwise (a bundle's own chain). Apps subclass it
 * with a no-arg constructor.
 */
public class SegmentationTrainer implements TrainTask {
    /** The human-readable log of the training runs, beside the published model. */
    public static final String LOG_FILE = TrainerSupport.LOG_FILE;

    /** The stats file beside the published model. */
    public static final String STATS_FILE = TrainerSupport.STATS_FILE;

    private final String description;
    private final ModelCard template;
    private final Settings defaults;
    private final TrainerSupport support;

    /**
     * A segmentation trainer's settings: those every trainer has, and the augmentation and early
     * stopping. {@link #defaults()} are the built-in ones, an app's overrides and each request are
     * merged over them ({@link #merge}), and {@link #config()} is what {@code /info/} shows.
     *
     * @param train the settings every trainer has
     * @param flipProb {@code flip_prob}: the probability of a flip per axis
     * @param rotate90 {@code rotate90}: random in-plane 90-degree rotations
     * @param earlyStopPatience {@code early_stop_patience}: epochs without a better validation Dice
     *     before the run stops; 0 or less for never
     */
    public record Settings(
            TrainSettings train, double flipProb, boolean rotate90, int earlyStopPatience) {
        public Settings {
            Objects.requireNonNull(train, "train");
        }

        /** The built-in defaults. */
        public static Settings defaults() {
            return new Settings(
                    new TrainSettings(
                            50,
                            0.2,
                            1,
                            2,
                            4,
                            96,
                            1e-4,
                            LearningRateSchedule.Kind.COSINE,
                            20,
                            0,
                            true,
                            0,
                            5,
                            TrainSettings.defaultCacheMegabytes()),
                    0.0,
                    false,
                    -1);
        }

        /** These settings with those the request sets instead. */
        public Settings merge(Params request) {
            return new Settings(
                    train.merge(request),
                    request.getDouble("flip_prob", flipProb),
                    request.getBoolean("rotate90", rotate90),
                    request.getInt("early_stop_patience", earlyStopPatience));
        }

        /** The settings as {@code /info/} shows them. */
        public Map<String, Object> config() {
            Map<String, Object> config = new LinkedHashMap<>();
            train.putSampling(config);
            config.put("flip_prob", flipProb);
            config.put("rotate90", rotate90);
            train.putOptimizer(config);
            config.put("early_stop_patience", earlyStopPatience);
            train.putRun(config);
            return config;
        }

        private void checkRunnable() {
            if (train.cropSize() < 16 || train.batchSize() > 64 || train.maxEpochs() < 1) {
                throw new InvalidInputException(
                        "crop_size must be at least 16, train_batch_size at most 64 and max_epochs"
                                + " at least 1");
            }
        }
    }

    protected SegmentationTrainer(String name, String description, ModelCard template) {
        this(name, description, template, Map.of());
    }

    /**
     * @param defaults the app's own defaults for the training config (for example a smaller {@code
     *     crop_size}), shown in {@code /info/} and used when a request does not set them
     * @throws IllegalStateException for a key the trainer does not have
     */
    protected SegmentationTrainer(
            String name, String description, ModelCard template, Map<String, Object> defaults) {
        this(name, description, template, defaults, StudyPreprocessing.ofCard());
    }

    /**
     * @param defaults the app's own defaults for the training config, as above
     * @param preprocessing how the studies are brought onto the network's grid: as the model is
     *     served (the card's spacing and intensity window by default)
     * @throws IllegalStateException for a key the trainer does not have
     */
    protected SegmentationTrainer(
            String name,
            String description,
            ModelCard template,
            Map<String, Object> defaults,
            StudyPreprocessing preprocessing) {
        this.support = new TrainerSupport(name, template, preprocessing);
        this.description = Objects.requireNonNull(description, "description");
        this.template = template;
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
    public Map<String, Object> train(Params request, JobControl jobControl) throws IOException {
        JobControl control = support.withLogFile(jobControl);
        Settings settings = settings(request);
        settings.checkRunnable();
        TrainSettings t = settings.train();
        TrainerSupport.Start start = support.start(t.pretrained());
        if (isTorchScript(start.card()) && !start.fineTune()) {
            throw new TrainingFailedException(
                    "Model '"
                            + support.name()
                            + "' is a TorchScript model: it can be fine-tuned from its"
                            + " published weights (pretrained=true), not trained from scratch");
        }
        Run run;
        // the network first: one that cannot be trained fails before the studies are prepared
        try (Model model = newModel(start)) {
            run = new Run(settings, start, prepare(t, start, control), control);
            try (BatchLoader loader = run.newLoader()) {
                long totalUpdates = (long) t.maxEpochs() * loader.batchesPerEpoch();
                LearningRateSchedule lr =
                        TrainerSupport.learningRate(
                                t, start.fineTune(), totalUpdates, run.progress);
                try (Trainer trainer = support.newTrainer(model, lr, t.seed())) {
                    if (!run.torchScript) {
                        trainer.initialize(
                                new Shape(t.batchSize(), 1, run.size[0], run.size[1], run.size[2]));
                    }
                    run.epochs(trainer, loader, model.getBlock(), lr);
                }
            }
        }
        return run.result();
    }

    /** Pre-processes every study (or finds it in the cache) before the first epoch. */
    private TrainerSupport.TrainingSet prepare(
            TrainSettings settings, TrainerSupport.Start start, JobControl control)
            throws IOException {
        TrainerSupport.TrainingSet studies = support.trainingSet(settings);
        long startNanos = System.nanoTime();
        studies.prepareAll(start.card(), control, (pair, sample) -> {});
        control.log(
                String.format(
                        "Training '%s' on %d images, validating on %d, %s; studies ready in %.1f s"
                                + " %s",
                        support.name(),
                        studies.split().train().size(),
                        studies.split().validation().size(),
                        start.fineTune()
                                ? "fine-tuning v" + start.card().version()
                                : "from scratch",
                        (System.nanoTime() - startNanos) / 1e9,
                        studies.cache().counters()));
        return studies;
    }

    /**
     * The network to train: the published TorchScript module, or a U-Net with the published weights
     * if any.
     */
    private Model newModel(TrainerSupport.Start start) throws IOException {
        ModelCard card = start.card();
        if (isTorchScript(card)) {
            return support.loadTrainableTorchScript(card);
        }
        return support.newModel(
                UNet.build(UNetConfig.fromMap(card.hyperparameters())), card, start.fineTune());
    }

    private static boolean isTorchScript(ModelCard card) {
        return "torchscript".equals(card.network());
    }

    /**
     * One run: what it trains on, its progress, the versions it published and where its time went.
     */
    private final class Run {
        final Settings settings;
        final ModelCard card;
        final TrainingData.Split split;
        final PreparedCache cache;
        final JobControl control;
        final boolean torchScript;
        final int outChannels;
        final int[] size;
        final TrainingRun progress;

        /** The newest version number in use; the next published version is one more. */
        int version;

        int servedVersion;
        int lastEpochIterations;
        long stepNanos;
        long validationNanos;
        long totalIterations;
        double loaderWait;
        int epoch;

        Run(
                Settings settings,
                TrainerSupport.Start start,
                TrainerSupport.TrainingSet studies,
                JobControl control)
                throws IOException {
            this.settings = settings;
            this.card = start.card();
            this.split = studies.split();
            this.cache = studies.cache();
            this.control = control;
            this.torchScript = isTorchScript(card);
            this.outChannels =
                    torchScript
                            ? card.labels().values().stream()
                                            .mapToInt(Integer::intValue)
                                            .max()
                                            .orElse(0)
                                    + 1
                            : UNetConfig.fromMap(card.hyperparameters()).outChannels();
            int crop = settings.train().cropSize();
            this.size = new int[] {crop, crop, crop};
            this.version = support.newestVersion(card);
            this.servedVersion = card.version();
            this.progress = new TrainingRun(settings.train());
        }

        /** The training crops of every epoch, prepared on the loader's thread. */
        BatchLoader newLoader() {
            TrainSettings t = settings.train();
            return new BatchLoader(
                    split.train(),
                    cache,
                    card,
                    size,
                    t.batchSize(),
                    t.numSamples(),
                    new BatchLoader.Augmentation(
                            settings.flipProb(), settings.rotate90(), 0.1, 0.1),
                    t.seed());
        }

        /** The epochs until the last, a stop, the time budget, early stopping or a failed epoch. */
        void epochs(Trainer trainer, BatchLoader loader, Block block, LearningRateSchedule lr)
                throws IOException {
            int maxEpochs = progress.maxEpochs();
            boolean stopped = false;
            for (epoch = 1; epoch <= maxEpochs && !stopped; epoch++) {
                double loss;
                try {
                    loss = trainEpoch(trainer, loader);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    control.log("Interrupted");
                    break;
                }
                loaderWait = loader.waitSeconds();
                if (Double.isNaN(loss)) {
                    break;
                }
                boolean outOfTime = progress.outOfTime();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("epoch", epoch);
                row.put("loss", loss);
                row.put("iterations", lastEpochIterations);
                row.put("lr", lr.getNewValue(trainerUpdates(epoch, loader)));
                // a stop request skips validation: the user gets the job back within one iteration,
                // and the best model published so far stays what is served
                if (!control.stopRequested()
                        && (epoch % settings.train().valInterval() == 0
                                || epoch == maxEpochs
                                || outOfTime)) {
                    stopped = validateAndPublish(trainer, block, row);
                }
                progress.addEpoch(row);
                control.log(
                        String.format(
                                "Epoch %d/%d: loss %.4f%s",
                                epoch,
                                maxEpochs,
                                loss,
                                row.containsKey("metric")
                                        ? String.format(", Dice %.4f", (double) row.get("metric"))
                                        : ""));
                support.report(control, progress, epoch, false);
                if (outOfTime) {
                    control.log(
                            String.format(
                                    "Time budget of %.1f minutes used",
                                    settings.train().maxTrainMinutes()));
                    stopped = true;
                }
                stopped |= control.stopRequested();
            }
        }

        /**
         * One epoch: the loader's batches through forward, loss, backward and an optimizer step.
         */
        private double trainEpoch(Trainer trainer, BatchLoader loader) throws InterruptedException {
            int batch = settings.train().batchSize();
            double total = 0;
            int iterations = 0;
            lastEpochIterations = 0;
            for (int i = 0;
                    i < loader.batchesPerEpoch()
                            && !control.stopRequested()
                            && System.nanoTime() < progress.deadline();
                    i++) {
                BatchLoader.Batch b = loader.next();
                long t0 = System.nanoTime();
                try (NDManager scope = trainer.getManager().newSubManager()) {
                    NDArray x =
                            scope.create(
                                    b.images(), new Shape(batch, 1, size[0], size[1], size[2]));
                    NDArray y =
                            scope.create(
                                    b.labels(), new Shape(batch, 1, size[0], size[1], size[2]));
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                        NDArray loss =
                                trainer.getLoss().evaluate(new NDList(y), new NDList(prediction));
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

        /**
         * Validates into the epoch's row and publishes the network when it is the best so far.
         *
         * @return whether to stop early: no better Dice for {@code early_stop_patience} epochs
         */
        private boolean validateAndPublish(Trainer trainer, Block block, Map<String, Object> row)
                throws IOException {
            long v0 = System.nanoTime();
            double dice =
                    validate(
                            trainer,
                            split.validation().isEmpty() ? split.train() : split.validation());
            validationNanos += System.nanoTime() - v0;
            row.put("metric", dice);
            int patience = settings.earlyStopPatience();
            if (progress.improves(dice, epoch)) {
                version++;
                servedVersion = version;
                support.publishBest(
                        card,
                        block,
                        version,
                        progress,
                        split,
                        settings.train().keepVersions(),
                        Map.of());
            } else if (patience > 0 && epoch - progress.bestEpoch() >= patience) {
                control.log("Early stop: no better validation Dice for " + patience + " epochs");
                return true;
            }
            return false;
        }

        /**
         * Mean Dice over the foreground labels of the validation images (sliding window, eval
         * mode).
         */
        private double validate(Trainer trainer, List<TrainingPair> validation) throws IOException {
            SlidingWindowInferer inferer =
                    new SlidingWindowInferer(
                            card.roiSize(),
                            card.overlap(),
                            card.swBatchSize(),
                            card.blend(),
                            0.125);
            double sum = 0;
            int count = 0;
            for (TrainingPair pair : validation) {
                TrainingData.Sample s = cache.get(pair, card);
                int[] shape = s.shape();
                Volume predicted;
                try (NDManager scope = trainer.getManager().newSubManager()) {
                    predicted =
                            inferer.runToLabels(
                                    new DenseArray(
                                            new int[] {1, shape[0], shape[1], shape[2]}, s.image()),
                                    b -> trainer.evaluate(new NDList(b)).singletonOrThrow(),
                                    scope,
                                    s.affine(),
                                    false);
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

        /**
         * The final statistics, where the run's time went, the version served and whether it was
         * stopped.
         */
        Map<String, Object> result() throws IOException {
            int maxEpochs = progress.maxEpochs();
            Map<String, Object> result =
                    new LinkedHashMap<>(
                            support.report(control, progress, Math.min(epoch, maxEpochs), true));
            double seconds = progress.seconds();
            result.put("loader_wait_share", seconds > 0 ? loaderWait / seconds : 0);
            // forward, loss, backward and optimizer step over the wall time spent training
            // (validation excluded)
            double training = seconds - validationNanos / 1e9;
            result.put("step_share", training > 0 ? stepNanos / 1e9 / training : 0);
            result.put("validation_share", seconds > 0 ? validationNanos / 1e9 / seconds : 0);
            result.put("iterations", totalIterations);
            result.put("version", servedVersion);
            result.put("stopped", control.stopRequested());
            return result;
        }
    }

    /** The optimizer updates after {@code epoch} full epochs. */
    private static int trainerUpdates(int epoch, BatchLoader loader) {
        return (int) Math.min(Integer.MAX_VALUE, (long) epoch * loader.batchesPerEpoch());
    }
}
