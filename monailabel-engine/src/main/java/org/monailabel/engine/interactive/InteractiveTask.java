package org.monailabel.engine.interactive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.AppContext;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ModelStore;
import org.monailabel.api.ModelType;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.model.ServedModel;
import org.monailabel.engine.model.ServesModel;
import org.monailabel.engine.segmentation.InferenceWorkers;
import org.monailabel.engine.segmentation.Latencies;
import org.monailabel.engine.segmentation.ResultFiles;

/**
 * What DeepGrow and DeepEdit share: a model served from its store like a segmentation model (a
 * {@link ServedModel}: bundled first version, swap when a trainer publishes), a bounded worker pool
 * of its own ({@code infer_threads} workers: under {@link org.monailabel.engine.MonaiLabel} its
 * {@link org.monailabel.engine.InferenceLimits}, used on its own 2 workers and 8 waiting, since
 * clicks are short), and the cache of pre-processed images ({@code --conf interactive_cache_mb},
 * default 1024, and {@code interactive_cache_ttl} seconds, default 300).
 */
public abstract class InteractiveTask implements InferenceTask, ServesModel {
    private final String name;
    private final String description;
    private final Map<String, Integer> declaredLabels;
    private ServedModel served;
    private InferenceWorkers workers;
    private PreparedImages cache;

    /** The label image of one click and the label names to report with it. */
    protected record Result(
            Volume label, Map<String, Integer> labelNames, Map<String, Object> extra) {}

    /**
     * @param labels label name to index as the model produces them (the card's labels win once
     *     loaded)
     */
    protected InteractiveTask(String name, String description, Map<String, Integer> labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.declaredLabels = ServedModel.foreground(labels);
    }

    /**
     * The name, foreground labels (the served card's, else those declared) and description; the
     * subclasses give the type, dimension and config.
     */
    @Override
    public ModelInfo info() {
        return new ModelInfo(
                name,
                ModelType.SEGMENTATION,
                ServedModel.labels(served, declaredLabels),
                3,
                description,
                Map.of());
    }

    /**
     * The model folder (and so the {@link ModelStore}) this task serves: its own name by default. A
     * task that serves another model's weights names that model (deepgrow_2d serves deepgrow_3d's),
     * so that training, uploads and {@code /model/{name}} all reach the one store.
     */
    protected String storeName() {
        return name;
    }

    /**
     * Where this model's card lives: {@code <modelDir>/<storeName()>/model.json}. Overriding it is
     * the older way to serve another folder (which must be directly under the app's model folder);
     * prefer {@link #storeName()}.
     */
    protected Path cardFile(AppContext context) {
        return context.modelStore(storeName()).folder().resolve(ModelCard.FILE_NAME);
    }

    /**
     * A model the app ships as class-path resources, installed when the store has none (none by
     * default).
     */
    protected Optional<String> bundledModel() {
        return Optional.empty();
    }

    @Override
    public void open(AppContext context) throws IOException {
        served =
                ServedModel.open(
                        name,
                        context.models().forFolder(cardFile(context).getParent()),
                        context.device(),
                        bundledModel(),
                        getClass());
        cache =
                new PreparedImages(
                        (long) context.config().getInt("interactive_cache_mb", 1024) << 20,
                        context.config().getInt("interactive_cache_ttl", 300),
                        System::nanoTime);
        workers =
                new InferenceWorkers(
                        name,
                        context.config().getInt("infer_threads", 2),
                        context.config().getInt("infer_queue", 8),
                        () -> served.loaded().orElse(null));
    }

    /** The model this task serves; empty before {@code open}. */
    public Optional<ServedModel> served() {
        return Optional.ofNullable(served);
    }

    @Override
    public Optional<ModelStore> servedStore() {
        return served().map(ServedModel::store);
    }

    /** The model being served, if any. */
    public Optional<LoadedModel> currentModel() {
        return served().flatMap(ServedModel::loaded);
    }

    /** The cache of pre-processed images (for its counters). */
    public PreparedImages cache() {
        return cache;
    }

    /**
     * Prepares an image before the first click on it (a client has just been handed it or is
     * downloading it): kept in the cache as a click would keep it, with the whole image resampled
     * too if {@link #needsWholeImage()}. Nothing happens before a model is loaded.
     *
     * @param reader reads the image file if this cache does not hold it yet
     */
    public void prefetch(String imageId, Path file, PreparedImages.Reader reader)
            throws IOException {
        Optional<LoadedModel> model = currentModel();
        if (model.isEmpty() || cache == null) {
            return;
        }
        PreparedImages.Entry entry = cache.get(imageId, file, model.get().card(), reader);
        if (needsWholeImage()) {
            entry.input();
        } else {
            entry.settleRange();
        }
    }

    /**
     * Whether a click runs the network on the whole image (DeepEdit) rather than on a crop around
     * the clicks; what {@link #prefetch} prepares.
     */
    public boolean needsWholeImage() {
        return false;
    }

    /** The model's labels as clients see them. */
    protected Map<String, Integer> modelLabels() {
        return info().labels();
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        served.require(); // loads a version the store announced
        Params params = request.params();
        String label = params.getString(Clicks.LABEL, "").trim();
        if (!label.isEmpty() && !modelLabels().containsKey(label)) {
            throw new InvalidInputException(
                    "Model '"
                            + name
                            + "' does not know the label '"
                            + label
                            + "' (it knows "
                            + modelLabels().keySet()
                            + ")");
        }
        String identity = request.imageId().orElse(request.image().toAbsolutePath().toString());
        return workers.run(
                (network, loaded) -> {
                    Latencies latencies = new Latencies();
                    PreparedImages.Entry image =
                            cache.get(identity, request.image(), loaded.card());
                    latencies.mark("pre");
                    Result result = run(image, params, network, loaded, latencies);
                    Volume label1 = restrictToRoi(result.label(), params);
                    return ResultFiles.reply(
                            label1.withMetadata(Map.of("labels", result.labelNames())),
                            request,
                            result.labelNames(),
                            latencies,
                            loaded.card().version(),
                            result.extra());
                });
    }

    /**
     * One click's work on a prepared image: guidance, network, paste-back onto the input grid. Runs
     * on a worker thread with that thread's network.
     */
    protected abstract Result run(
            PreparedImages.Entry image,
            Params params,
            Network network,
            LoadedModel model,
            Latencies latencies);

    /** Logits of one input {@code (1, C, X, Y, Z)} as a flat C-order array {@code (K, X, Y, Z)}. */
    protected static float[] forward(
            Network network, LoadedModel model, float[] input, int channels, int[] size) {
        try (NDManager manager =
                NDManager.newBaseManager(model.model().getNDManager().getDevice())) {
            NDArray x = manager.create(input, new Shape(1, channels, size[0], size[1], size[2]));
            return network.forward(x, false).toFloatArray();
        }
    }

    /** Per voxel the channel with the largest logit, as a byte. */
    protected static byte[] argmax(float[] logits, int channels, int voxels) {
        byte[] out = new byte[voxels];
        for (int i = 0; i < voxels; i++) {
            int best = 0;
            float max = logits[i];
            for (int c = 1; c < channels; c++) {
                float v = logits[c * voxels + i];
                if (v > max) {
                    max = v;
                    best = c;
                }
            }
            out[i] = (byte) best;
        }
        return out;
    }

    /** The value the network input is padded with: the bottom of the card's intensity range. */
    public static float padValue(ModelCard card) {
        var w = card.intensity();
        return (float) (w.rescale() ? w.minv() : Math.min(w.bMin(), w.bMax()));
    }

    /** Input voxels (file order) mapped onto the network grid, rounded. */
    protected static int[] toNetwork(int[] voxel, PreparedImages.Entry image) {
        double[] world = image.inputGrid().affine().apply(voxel[0], voxel[1], voxel[2]);
        double[] p = image.grid().affine().inverse().apply(world[0], world[1], world[2]);
        return new int[] {(int) Math.rint(p[0]), (int) Math.rint(p[1]), (int) Math.rint(p[2])};
    }

    /** Zeroes the label outside the client's {@code roi}, if one was sent. */
    private static Volume restrictToRoi(Volume label, Params params) {
        int[] shape = label.shape();
        int[][] roi = Clicks.roi(params, shape);
        if (Arrays.equals(roi[0], new int[3]) && Arrays.equals(roi[1], shape)) {
            return label;
        }
        ByteBuffer data = label.data();
        for (int k = 0; k < shape[2]; k++) {
            for (int j = 0; j < shape[1]; j++) {
                for (int i = 0; i < shape[0]; i++) {
                    boolean inside =
                            i >= roi[0][0]
                                    && i < roi[1][0]
                                    && j >= roi[0][1]
                                    && j < roi[1][1]
                                    && k >= roi[0][2]
                                    && k < roi[1][2];
                    if (!inside) {
                        data.put(i + shape[0] * (j + shape[1] * k), (byte) 0);
                    }
                }
            }
        }
        return label;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
        if (served != null) {
            served.close();
        }
    }
}
