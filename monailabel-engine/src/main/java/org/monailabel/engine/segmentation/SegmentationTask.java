package org.monailabel.engine.segmentation;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.AppContext;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ModelType;
import org.monailabel.api.Params;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An automatic segmentation model served from its card in the app's model folder ({@code
 * <modelDir>/<name>/model.json}): image in, label on the input grid out, with MONAI Label's result
 * JSON ({@code label_names}, per-stage {@code latencies}). Concurrent requests run on a bounded
 * set of workers with one predictor each ({@code --conf infer_threads N}, {@code --conf
 * infer_queue N}); a full queue is a busy error. Apps subclass it with a no-arg constructor.
 */
public class SegmentationTask implements InferenceTask {
    private static final Logger logger = LoggerFactory.getLogger(SegmentationTask.class);

    private final String name;
    private final String description;
    private final Map<String, Integer> declaredLabels;
    private volatile LoadedModel model;
    private InferenceWorkers workers;
    private Device device;
    private Path card;
    private volatile java.nio.file.attribute.FileTime loadedCardTime;

    /**
     * @param labels label name to index as the model is expected to produce them (shown before
     *     the model is loaded; the card's labels win once it is)
     */
    protected SegmentationTask(String name, String description, Map<String, Integer> labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.declaredLabels = new LinkedHashMap<>(); // as the card's foreground labels: index 0 is background
        labels.entrySet().stream().filter(e -> e.getValue() != 0).sorted(Map.Entry.comparingByValue())
                .forEach(e -> declaredLabels.put(e.getKey(), e.getValue()));
    }

    @Override
    public ModelInfo info() {
        LoadedModel m = model;
        Map<String, Integer> labels = m == null ? declaredLabels : m.card().foregroundLabels();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(SegmentationPipeline.LARGEST_CC, false);
        config.put(SegmentationPipeline.FILL_HOLES, false);
        return new ModelInfo(name, ModelType.SEGMENTATION, labels, 3, description, config);
    }

    /** Where this model's card lives. */
    protected Path cardFile(AppContext context) {
        return context.modelDir().resolve(name).resolve(ModelCard.FILE_NAME);
    }

    /**
     * A model the app ships as class-path resources (a folder holding {@code model.json} and the
     * weights it names, for example {@code /models/segmentation/}), published into the model
     * folder when the folder has no model yet, so the app segments from its first start. None by
     * default.
     */
    protected Optional<String> bundledModel() {
        return Optional.empty();
    }

    @Override
    public void open(AppContext context) throws IOException {
        device = Devices.resolve(context.device());
        card = cardFile(context);
        if (!Files.exists(card) && bundledModel().isPresent()) {
            installBundled(bundledModel().get(), card.getParent());
        }
        if (!refresh()) {
            logger.warn("Model '{}' has no weights yet ({} is missing): it answers once trained", name, card);
        }
        workers = new InferenceWorkers(name, context.config().getInt("infer_threads", 1),
                context.config().getInt("infer_queue", 4), () -> model);
    }

    /** Publishes the bundled card and weights as the model's first version. */
    private void installBundled(String resourceFolder, Path folder) throws IOException {
        String prefix = resourceFolder.endsWith("/") ? resourceFolder : resourceFolder + "/";
        ModelCard bundled;
        try (var in = getClass().getResourceAsStream(prefix + ModelCard.FILE_NAME)) {
            if (in == null) {
                logger.warn("Model '{}': no bundled model at {}", name, prefix);
                return;
            }
            bundled = ModelCard.fromMap(new com.google.gson.Gson().fromJson(
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), Map.class));
        }
        try (var in = getClass().getResourceAsStream(prefix + bundled.weights())) {
            if (in == null) {
                throw new IOException("Bundled model '" + name + "' lacks its weights " + prefix + bundled.weights());
            }
            new org.monailabel.engine.model.ModelVersions(folder, Integer.MAX_VALUE).publish(bundled, in);
        }
        logger.info("Model '{}': installed the bundled v{} into {}", name, bundled.version(), folder);
    }

    /** The model being served, if any. */
    public Optional<LoadedModel> currentModel() {
        return Optional.ofNullable(model);
    }

    /**
     * Loads the published model if its card changed since it was loaded (a trainer published a new
     * version): new requests use it at once; requests in flight finish on the old one, which is
     * closed after them. When the card is gone (the model was unpublished, {@code DELETE
     * /model/{name}}) the model stops being served the same way. Cheap when nothing changed (one
     * file-time lookup).
     *
     * @return whether a model is being served
     */
    public synchronized boolean refresh() throws IOException {
        if (!Files.exists(card)) {
            if (model != null) {
                LoadedModel old = model;
                model = null;
                loadedCardTime = null;
                old.close(); // closes once the requests holding it are done
                logger.info("Model '{}' v{} unpublished: no longer served", name, old.card().version());
            }
            return false;
        }
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(card);
        if (model != null && time.equals(loadedCardTime)) {
            return true;
        }
        LoadedModel loaded = LoadedModel.load(card, device);
        loadedCardTime = time;
        LoadedModel old = model;
        model = loaded;
        if (old != null) {
            old.close(); // closes once the requests holding it are done
        }
        logger.info("Model '{}' v{} loaded on {}", name, loaded.card().version(), Devices.nameOf(device));
        return true;
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        refresh();
        if (model == null) {
            throw new ConflictException("Model '" + name + "' has no trained weights yet: train it first");
        }
        Params params = request.params();
        return workers.run((network, loaded) -> {
            Latencies latencies = new Latencies();
            Volume label = SegmentationPipeline.run(ImageIo.read(request.image()), loaded.card(), network, device,
                    params, latencies);
            Path file = ResultFiles.write(label, request.image(), params, request.workDir());
            latencies.mark("write");
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("label_names", loaded.card().foregroundLabels());
            json.put("latencies", latencies.toMap());
            json.put("model_version", loaded.card().version());
            return new InferenceResult(Optional.of(file), json);
        });
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
        LoadedModel m = model;
        if (m != null) {
            m.close();
        }
    }
}
