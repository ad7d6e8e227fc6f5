package org.monailabel.engine.model.bundle;

import java.io.IOException;
import java.io.InputStream;
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
import org.monailabel.api.ModelStore;
import org.monailabel.api.ModelType;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.model.ServedModel;
import org.monailabel.engine.model.ServesModel;
import org.monailabel.engine.segmentation.InferenceWorkers;
import org.monailabel.engine.segmentation.Latencies;
import org.monailabel.engine.segmentation.ResultFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MONAI bundle served as a model named after its folder: the bundle's TorchScript is the model's
 * first version in its {@link ModelStore} (so uploads, rollbacks and {@code /model/{name}} work as
 * for any model), and every request runs the bundle's own pre-processing, sliding window and
 * post-processing ({@link BundlePipeline}). {@code /info/} shows the labels of the bundle's {@code
 * metadata.json}. Requests run on {@code infer_threads} workers with their own network handle.
 */
public final class BundleTask implements InferenceTask, ServesModel {
    private static final Logger logger = LoggerFactory.getLogger(BundleTask.class);

    private final Path folder;
    private final BundleSpec spec;
    private ServedModel served;
    private InferenceWorkers workers;

    /**
     * Reads and checks a bundle folder.
     *
     * @throws BundleException if the bundle cannot be served exactly as its configs say
     */
    public BundleTask(Path folder) throws IOException {
        this.folder = Objects.requireNonNull(folder, "folder").toAbsolutePath().normalize();
        this.spec = BundleSpec.read(this.folder);
        if (spec.type() != ModelType.SEGMENTATION) {
            throw new BundleException(
                    spec.name(),
                    "is a "
                            + spec.type().wireName()
                            + " bundle; interactive bundles (clicks as extra input channels) are"
                            + " not served yet, only automatic segmentation");
        }
        BundlePipeline.check(spec);
    }

    /** What the bundle's configs say. */
    public BundleSpec spec() {
        return spec;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(
                spec.name(),
                spec.type(),
                spec.labels(),
                3,
                "MONAI bundle " + spec.name(),
                Map.of());
    }

    @Override
    public void open(AppContext context) throws IOException {
        ModelStore store = context.modelStore(spec.name());
        if (!Files.isRegularFile(store.folder().resolve(ModelCard.FILE_NAME))) {
            try (InputStream weights =
                    Files.newInputStream(folder.resolve("models").resolve("model.ts"))) {
                new ModelVersions(store, Integer.MAX_VALUE).publish(firstCard(), weights);
            }
            logger.info("Bundle '{}': its models/model.ts is version 1 of the model", spec.name());
        }
        served =
                ServedModel.open(
                        spec.name(), store, context.device(), Optional.empty(), getClass());
        workers =
                new InferenceWorkers(
                        spec.name(),
                        context.config().getInt("infer_threads", 1),
                        context.config().getInt("infer_queue", 4),
                        () -> served.loaded().orElse(null));
    }

    /**
     * The card of the bundle's own TorchScript: version 1, its labels the bundle's (background 0
     * and the channels of its metadata), its sliding window the bundle's; what runs is the bundle's
     * configs.
     */
    ModelCard firstCard() {
        Map<String, Integer> labels = modelLabels(spec);
        double[] spacing =
                spec.pre().stream()
                        .filter(s -> s instanceof BundleStep.Spacing)
                        .map(s -> ((BundleStep.Spacing) s).pixdim())
                        .findFirst()
                        .orElse(new double[] {1, 1, 1});
        IntensityWindow window =
                spec.pre().stream()
                        .filter(s -> s instanceof BundleStep.ScaleIntensityRange)
                        .map(s -> (BundleStep.ScaleIntensityRange) s)
                        .map(
                                s ->
                                        new IntensityWindow(
                                                s.aMin(),
                                                s.aMax(),
                                                s.bMin().orElse(0.0),
                                                s.bMax().orElse(1.0),
                                                s.clip(),
                                                false,
                                                0,
                                                1))
                        .findFirst()
                        .orElse(new IntensityWindow(0, 1, 0, 1, false, false, 0, 1));
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("source", "bundle");
        provenance.put("bundle", spec.name());
        provenance.put("bundle_folder", folder.toString());
        provenance.put(
                "note",
                "served with the bundle's configs/inference.json, not this card's pre-processing");
        BundleSpec.Inferer inferer = spec.inferer();
        return new ModelCard(
                spec.name(),
                1,
                "torchscript",
                Map.of(),
                "model.ts",
                labels,
                spacing,
                window,
                inferer.roiSize(),
                inferer.overlap(),
                inferer.swBatchSize(),
                inferer.mode(),
                provenance);
    }

    /** The model's labels: background 0 and the bundle's channels, in channel order. */
    static Map<String, Integer> modelLabels(BundleSpec spec) {
        Map<String, Integer> labels = new LinkedHashMap<>();
        labels.put("background", 0);
        spec.labels().entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> labels.put(e.getKey(), e.getValue()));
        return labels;
    }

    @Override
    public Optional<ModelStore> servedStore() {
        return Optional.ofNullable(served).map(ServedModel::store);
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        served.require();
        return workers.run(
                (network, loaded) -> {
                    Latencies latencies = new Latencies();
                    Volume label =
                            BundlePipeline.run(
                                    ImageIo.read(request.image()),
                                    spec,
                                    network,
                                    served.device(),
                                    latencies);
                    return ResultFiles.reply(
                            label.withMetadata(Map.of("labels", spec.labels())),
                            request,
                            spec.labels(),
                            latencies,
                            loaded.card().version(),
                            Map.of());
                });
    }

    /** The model being served, if any. */
    public Optional<LoadedModel> currentModel() {
        return Optional.ofNullable(served).flatMap(ServedModel::loaded);
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
