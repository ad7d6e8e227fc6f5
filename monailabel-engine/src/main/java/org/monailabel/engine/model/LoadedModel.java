package org.monailabel.engine.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.nets.McDropout;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

/**
 * A model loaded from its card: our DJL {@link UNet} with saved parameters, or any TorchScript
 * file. The DJL {@link Model} (weights, native memory) lives until {@link #close()}; threads get
 * their own {@link Network} from {@link #newNetwork()}. Thread-safe.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelCard card;
    private final Model model;
    private final Block block; // our network, or null for TorchScript
    private final AtomicInteger references = new AtomicInteger(1);

    private LoadedModel(ModelCard card, Model model, Block block) {
        this.card = card;
        this.model = model;
        this.block = block;
    }

    /**
     * Loads the model a card describes from the card's folder.
     *
     * @throws InvalidInputException if the card names an unknown network or the weights are not
     *     what the card says
     */
    public static LoadedModel load(Path cardFile, Device device) throws IOException {
        ModelCard card = ModelCard.read(cardFile);
        Path weights = cardFile.toAbsolutePath().resolveSibling(card.weights());
        if (!Files.isRegularFile(weights)) {
            throw new NoSuchFileException(
                    "Weights '" + card.weights() + "' of model '" + card.name() + "' are missing");
        }
        Devices.engine();
        return switch (card.network()) {
            case "unet" -> loadUNet(card, weights, device);
            case "torchscript" -> loadTorchScript(card, weights, device);
            default ->
                    throw new InvalidInputException(
                            "Model card '"
                                    + card.name()
                                    + "' names an unknown network '"
                                    + card.network()
                                    + "' (known: unet, torchscript)");
        };
    }

    private static LoadedModel loadUNet(ModelCard card, Path weights, Device device)
            throws IOException {
        UNetConfig config;
        try {
            config = UNetConfig.fromMap(card.hyperparameters());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "Model card '" + card.name() + "': " + e.getMessage(), e);
        }
        Model model = Model.newInstance(card.name(), device);
        try {
            Block block = UNet.build(config);
            int d = config.divisor();
            block.initialize(
                    model.getNDManager(),
                    DataType.FLOAT32,
                    new Shape(1, config.inChannels(), d, d, d));
            Map<String, Shape> expected = parameterShapes(block);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(weights))) {
                block.loadParameters(model.getNDManager(), new DataInputStream(in));
            }
            checkShapes(expected, parameterShapes(block));
            model.setBlock(block);
            return new LoadedModel(card, model, block);
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new InvalidInputException(
                    "Weights of model '" + card.name() + "' do not fit its card: " + e.getMessage(),
                    e);
        }
    }

    /** Each parameter's shape, by its path in the block tree. */
    private static Map<String, Shape> parameterShapes(Block block) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        block.getParameters()
                .forEach(p -> shapes.put(p.getKey(), p.getValue().getArray().getShape()));
        return shapes;
    }

    /**
     * DJL's {@code loadParameters} checks the parameter names but takes each array's shape from the
     * file, so weights of a wider or narrower network would load and fail only at inference.
     */
    private static void checkShapes(Map<String, Shape> expected, Map<String, Shape> loaded)
            throws MalformedModelException {
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            Shape actual = loaded.get(e.getKey());
            if (!e.getValue().equals(actual)) {
                throw new MalformedModelException(
                        "parameter '"
                                + e.getKey()
                                + "' has shape "
                                + actual
                                + ", the card's network needs "
                                + e.getValue());
            }
        }
    }

    private static LoadedModel loadTorchScript(ModelCard card, Path weights, Device device)
            throws IOException {
        Model model = Model.newInstance(card.name(), device, "PyTorch");
        try {
            model.load(weights);
            return new LoadedModel(card, model, null);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new InvalidInputException(
                    "'" + card.weights() + "' is not a TorchScript model: " + e.getMessage(), e);
        }
    }

    /**
     * Saves a trained network and its card into {@code dir} atomically: the weights are written to
     * a temporary file, synced and renamed before the card that names them.
     */
    public static void save(ModelCard card, Block block, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path weights = dir.resolve(card.weights());
        Path tmp = dir.resolve("." + card.weights() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            if (block instanceof PtSymbolBlock module) {
                JniUtils.writeModule(
                        module, out, false); // a plain TorchScript file, as torch.jit.save
            } else {
                block.saveParameters(new DataOutputStream(out));
            }
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(
                tmp, weights, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        card.write(dir.resolve(ModelCard.FILE_NAME));
    }

    public ModelCard card() {
        return card;
    }

    /** The DJL model (its manager owns the weights). */
    public Model model() {
        return model;
    }

    /** Whether Monte-Carlo dropout is possible (a DJL network with dropout). */
    public boolean supportsMonteCarlo() {
        return block != null
                && card.hyperparameters().get("dropout") instanceof Number n
                && n.doubleValue() > 0;
    }

    /** A network handle for the calling thread. */
    public Network newNetwork() {
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator(null));
        return new Network() {
            @Override
            public NDArray forward(NDArray batch, boolean monteCarlo) {
                try {
                    if (monteCarlo && block != null) {
                        ParameterStore store = new ParameterStore(batch.getManager(), false);
                        return block.forward(
                                        store,
                                        new NDList(batch),
                                        false,
                                        new PairList<>(Map.of(McDropout.MC_DROPOUT, true)))
                                .singletonOrThrow();
                    }
                    return predictor.predict(new NDList(batch)).singletonOrThrow();
                } catch (TranslateException e) {
                    throw new InferenceFailedException(
                            "Model '" + card.name() + "' failed: " + rootMessage(e), e);
                }
            }

            @Override
            public void close() {
                predictor.close();
            }
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = Objects.toString(t.getMessage(), t.getClass().getSimpleName());
        int newline = m.indexOf('\n');
        return newline > 0 ? m.substring(0, newline) : m;
    }

    /**
     * Pins the model for a request: it stays open until {@link #release()} even if it is retired
     * meanwhile.
     *
     * @return false if the model was already closed (take the current one instead)
     */
    public boolean retain() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Ends a {@link #retain()}; the last release of a retired model closes it. */
    public void release() {
        if (references.decrementAndGet() == 0) {
            model.close();
        }
    }

    /**
     * The owner's release: the model closes now if no request holds it, else when the last one
     * finishes. Idempotent.
     */
    @Override
    public void close() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    private final AtomicBoolean retired = new AtomicBoolean();
}
