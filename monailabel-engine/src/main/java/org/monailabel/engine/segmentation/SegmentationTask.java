package org.monailabel.engine.segmentation;

import java.io.IOException;
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
import org.monailabel.api.ModelStore;
import org.monailabel.api.ModelType;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ServedModel;
import org.monailabel.engine.model.ServesModel;

/**
 * An automatic segmentation model served from its {@link ModelStore} ({@code
 * <modelDir>/<name>/model.json}, swapped when a trainer publishes, see {@link ServedModel}): image
 * in, label on the input grid out, with MONAI Label's result JSON ({@code label_names}, per-stage
 * {@code latencies}). Concurrent requests run on {@code infer_threads} workers with one predictor
 * each; under {@link org.monailabel.engine.MonaiLabel} that is its {@link
 * org.monailabel.engine.InferenceLimits} (which also bounds the queue), used on its own the
 * defaults are 1 worker and 4 waiting ({@code infer_queue}). Apps subclass it with a no-arg
 * constructor.
 */
public class SegmentationTask implements InferenceTask, ServesModel {
    private final String name;
    private final String description;
    private final Map<String, Integer> declaredLabels;
    private ServedModel served;
    private InferenceWorkers workers;

    /**
     * @param labels label name to index as the model is expected to produce them (shown before the
     *     model is loaded; the card's labels win once it is)
     */
    protected SegmentationTask(String name, String description, Map<String, Integer> labels) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.declaredLabels = ServedModel.foreground(labels);
    }

    @Override
    public ModelInfo info() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(SegmentationPipeline.LARGEST_CC, false);
        config.put(SegmentationPipeline.FILL_HOLES, false);
        return new ModelInfo(
                name,
                ModelType.SEGMENTATION,
                ServedModel.labels(served, declaredLabels),
                3,
                description,
                config);
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
     * A model the app ships as class-path resources (a folder holding {@code model.json} and the
     * weights it names, for example {@code /models/segmentation/}), published into the model folder
     * when the folder has no model yet, so the app segments from its first start. None by default.
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
        workers =
                new InferenceWorkers(
                        name,
                        context.config().getInt("infer_threads", 1),
                        context.config().getInt("infer_queue", 4),
                        () -> served.loaded().orElse(null));
    }

    /** The model this task serves (its store, the loaded version); empty before {@code open}. */
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

    /**
     * Loads the store's current version now; normally the first request after a publish does.
     *
     * @return whether a model is being served
     */
    public boolean refresh() throws IOException {
        return served.refresh();
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        served.require(); // loads a version the store announced
        Params params = request.params();
        return workers.run(
                (network, loaded) -> {
                    Latencies latencies = new Latencies();
                    Volume label =
                            SegmentationPipeline.run(
                                    ImageIo.read(request.image()),
                                    loaded.card(),
                                    network,
                                    served.device(),
                                    params,
                                    latencies);
                    return ResultFiles.reply(
                            label,
                            request,
                            loaded.card().foregroundLabels(),
                            latencies,
                            loaded.card().version(),
                            Map.of());
                });
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
