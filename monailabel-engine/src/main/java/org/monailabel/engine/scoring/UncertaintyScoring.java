package org.monailabel.engine.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.monailabel.api.AppContext;
import org.monailabel.api.ComponentInfo;
import org.monailabel.api.Datastore;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.segmentation.InferenceWorkers;
import org.monailabel.engine.segmentation.SegmentationPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared loop of the uncertainty scorings: loads the model a {@code SegmentationTask} serves
 * from the same card ({@code <modelDir>/<model>/model.json}) as a separate instance, then for each
 * image without a {@code final} label that was not yet scored with this model version, runs several
 * predictions at the model's spacing (no inversion to the image grid, no post-processing) and
 * stores their disagreement in the image info under {@code <prefix>_entropy}, {@code
 * <prefix>_variance}, {@code <prefix>_vvc}, {@code <prefix>_ts} (the card's modification time,
 * epoch seconds, as MONAI Label stores the model file's) and {@code <prefix>_version}.
 *
 * <p>Runs on the calling (job) thread with its own model and network, never on the inference
 * workers, so a request never queues behind scoring. Requests still share the CPU and PyTorch's
 * process-wide intra-op thread pool, so before every window batch scoring waits while an inference
 * job runs ({@link InferenceWorkers#running()}; at most {@link #MAX_YIELD_SECONDS} per batch, so
 * that it always progresses): a request competes with at most one window batch.
 *
 * <p>Parameters: {@code max_samples} (images scored per run, 0 = all; MONAI Label's name), {@code
 * rescore} (score again even when the model version is unchanged), and the number of passes under
 * the subclass's parameter name. Stops before the next pass once {@link
 * JobControl#stopRequested()}; a partly scored image is not written. Apps extend {@link
 * EpistemicScoring} or {@link TtaScoring}.
 */
public abstract class UncertaintyScoring implements ScoringMethod {
    private static final Logger logger = LoggerFactory.getLogger(UncertaintyScoring.class);

    /** The longest scoring waits for inference before each window batch. */
    static final int MAX_YIELD_SECONDS = 10;

    private final ComponentInfo info;
    private final String modelName;
    private final String prefix;
    private Path card;
    private Device device;

    UncertaintyScoring(String name, String description, String modelName, String prefix) {
        this.info = new ComponentInfo(name, description);
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public ComponentInfo info() {
        return info;
    }

    /** The name of the model scored (the {@code SegmentationTask}'s name). */
    public String modelName() {
        return modelName;
    }

    /** The image-info key of the score a strategy ranks by. */
    public abstract String scoreKey();

    /** Where the scored model's card lives: the same place the segmentation task reads it. */
    protected Path cardFile(AppContext context) {
        return context.modelStore(modelName).folder().resolve(ModelCard.FILE_NAME);
    }

    @Override
    public void open(AppContext context) throws IOException {
        card = cardFile(context);
        device = Devices.resolve(context.device());
    }

    /** Number of passes for this run, from the request. */
    abstract int passes(Params params);

    /** Called once per run with the loaded model, before any image (to warn about the model). */
    void check(LoadedModel model, JobControl control) {}

    /**
     * Runs pass {@code index} of an image.
     *
     * @param input the prepared image {@code (1, X, Y, Z)} in C order; not to be changed
     * @param run the sliding window over the model
     * @return the network's blended output {@code (C, X, Y, Z)} on the input's grid
     */
    abstract DenseArray pass(int index, DenseArray input, Window run);

    /** The sliding window over the loaded model, with dropout on ({@code monteCarlo}) or off. */
    @FunctionalInterface
    interface Window {
        DenseArray run(DenseArray input, boolean monteCarlo);
    }

    /** The model version a score was computed with. */
    private record Stamp(long ts, long version) {}

    @Override
    public Map<String, Object> score(Datastore datastore, Params params, JobControl control)
            throws IOException {
        if (card == null) {
            throw new IllegalStateException("Scoring '" + name() + "' was not opened");
        }
        long start = System.nanoTime();
        if (!Files.isRegularFile(card)) {
            throw new ConflictException(
                    "Model '" + modelName + "' has no trained weights yet: train it first");
        }
        long ts =
                Files.getLastModifiedTime(card)
                        .to(TimeUnit.SECONDS); // before loading: a newer card rescores
        try (LoadedModel model = LoadedModel.load(card, device);
                Network network = model.newNetwork()) {
            Stamp stamp = new Stamp(ts, model.card().version());
            int passes = passes(params);
            List<String> unlabeled = datastore.unlabeledImageIds(Datastore.FINAL);
            List<String> todo = new ArrayList<>();
            boolean rescore = params.getBoolean("rescore", false);
            for (String id : unlabeled) {
                if (rescore || !stamp.equals(stampOf(datastore.imageInfo(id)))) {
                    todo.add(id);
                }
            }
            int skipped = unlabeled.size() - todo.size();
            int max = params.getInt("max_samples", 0);
            if (max > 0 && todo.size() > max) {
                todo = todo.subList(0, max);
            }
            check(model, control);
            log(
                    control,
                    "%s: model '%s' v%d, %d passes; %d unlabeled images, %d already scored with"
                            + " this version, %d to score",
                    name(),
                    modelName,
                    stamp.version(),
                    passes,
                    unlabeled.size(),
                    skipped,
                    todo.size());
            Map<String, Object> scores = new LinkedHashMap<>();
            int failed = 0;
            boolean stopped = false;
            for (int i = 0; i < todo.size() && !stopped; i++) {
                String id = todo.get(i);
                control.progress(progress(todo.size(), i, id, skipped));
                stopped = stopRequested(control);
                if (stopped) {
                    break;
                }
                try {
                    Optional<PassStatistics.Uncertainty> u =
                            scoreImage(datastore, id, model.card(), network, passes, control);
                    if (u.isEmpty()) {
                        stopped = true;
                        break;
                    }
                    Map<String, Object> values = values(u.get(), stamp);
                    datastore.updateImageInfo(id, values);
                    scores.put(id, values.get(scoreKey()));
                    log(
                            control,
                            "%s: %s => %s %.6g (%d voxels of foreground, %d passes)",
                            name(),
                            id,
                            scoreKey(),
                            values.get(scoreKey()),
                            u.get().region(),
                            u.get().passes());
                } catch (IOException
                        | MonaiLabelException e) { // one bad image must not end the run
                    failed++;
                    logger.warn(
                            "{}: image '{}' could not be scored: {}", name(), id, e.getMessage());
                    control.log(
                            name() + ": image '" + id + "' could not be scored: " + e.getMessage());
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("total", unlabeled.size());
            summary.put("skipped", skipped);
            summary.put("executed", scores.size());
            summary.put("failed", failed);
            summary.put("stopped", stopped);
            summary.put("model_version", stamp.version());
            summary.put("latency", Math.round((System.nanoTime() - start) / 1e6) / 1e3);
            summary.put("scores", scores);
            control.progress(progress(todo.size(), scores.size() + failed, null, skipped));
            log(control, "%s: %s", name(), summary);
            return summary;
        }
    }

    private Map<String, Object> values(PassStatistics.Uncertainty u, Stamp stamp) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(prefix + "_entropy", u.entropy());
        values.put(prefix + "_variance", u.variance());
        values.put(prefix + "_vvc", u.vvc());
        values.put(prefix + "_ts", stamp.ts());
        values.put(prefix + "_version", stamp.version());
        return values;
    }

    private Stamp stampOf(Map<String, Object> info) {
        return info.get(prefix + "_ts") instanceof Number t
                        && info.get(prefix + "_version") instanceof Number v
                        && info.get(scoreKey()) instanceof Number
                ? new Stamp(t.longValue(), v.longValue())
                : null;
    }

    private static Map<String, Object> progress(int total, int done, String current, int skipped) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("total", total);
        p.put("done", done);
        p.put("skipped", skipped);
        if (current != null) {
            p.put("current", current);
        }
        return p;
    }

    /** The passes over one image, or empty if a stop was requested before they all ran. */
    private Optional<PassStatistics.Uncertainty> scoreImage(
            Datastore datastore,
            String id,
            ModelCard card,
            Network network,
            int passes,
            JobControl control)
            throws IOException {
        SegmentationPipeline.Prepared prepared =
                SegmentationPipeline.prepare(ImageIo.read(datastore.imageFile(id)), card);
        int[] g = prepared.grid().shape();
        DenseArray input = new DenseArray(new int[] {1, g[0], g[1], g[2]}, prepared.input());
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(
                        card.roiSize(), card.overlap(), card.swBatchSize(), card.blend(), 0.125);
        PassStatistics stats = null;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Window window =
                    (in, monteCarlo) ->
                            inferer.run(
                                    in,
                                    batch -> {
                                        yieldToInference();
                                        return network.forward(batch, monteCarlo);
                                    },
                                    manager);
            for (int i = 0; i < passes; i++) {
                if (i > 0 && stopRequested(control)) {
                    return Optional.empty();
                }
                DenseArray out = pass(i, input, window);
                if (stats == null) {
                    stats = new PassStatistics(out.size(0), g[0] * g[1] * g[2], passes);
                }
                stats.add(out.data());
            }
        }
        return Optional.of(stats.result());
    }

    private static boolean stopRequested(JobControl control) {
        return control.stopRequested() || Thread.currentThread().isInterrupted();
    }

    /**
     * Waits while inference requests run, so that they get the CPU; bounded, so scoring progresses.
     */
    private static void yieldToInference() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_YIELD_SECONDS);
        while (InferenceWorkers.running() > 0
                && System.nanoTime() - deadline < 0
                && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private static void log(JobControl control, String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        logger.info(line);
        control.log(line);
    }
}
