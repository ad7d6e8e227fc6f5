package org.monailabel.engine.model;

import ai.djl.Device;
import com.google.gson.Gson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.ModelStore;
import org.monailabel.api.error.ConflictException;
import org.monailabel.engine.djl.Devices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a task serves from its {@link ModelStore}: the current version's card and weights,
 * loaded on the task's device, swapped when the store announces a change. A publish (a trainer, an
 * upload, a rollback) only marks the model stale; the next request loads the new version, and
 * requests in flight finish on the old one, which is closed after them. When the current version is
 * removed ({@code DELETE /model/{name}}) the model stops being served the same way. A task composes
 * one; it does not look at the folder on every request. Thread-safe.
 */
public final class ServedModel implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ServedModel.class);

    private final String name;
    private final ModelStore store;
    private final Device device;
    private final Path card;
    private final ModelStore.Subscription subscription;
    private volatile boolean stale = true;
    private volatile LoadedModel model;

    /** The card of the version announced last (read when the notice comes), empty when none is. */
    private volatile Optional<ModelCard> announced = Optional.empty();

    private ServedModel(String name, ModelStore store, Device device) {
        this.name = name;
        this.store = store;
        this.device = device;
        this.card = store.folder().resolve(ModelCard.FILE_NAME);
        this.subscription = store.subscribe(this::changed);
    }

    /**
     * A notice from the store: the card is read now (cheap), the model loaded at the next request.
     */
    private void changed() {
        stale = true;
        try {
            announced =
                    Files.isRegularFile(card)
                            ? Optional.of(ModelCard.read(card))
                            : Optional.empty();
        } catch (IOException | RuntimeException e) {
            logger.debug("Model '{}': could not read the announced card: {}", name, e.toString());
        }
    }

    /**
     * Starts serving the store's current version, if any. When the store has no version and a
     * bundled model is named, it is published first as the model's first version, so that an app
     * segments from its first start.
     *
     * @param name the model's name (for messages)
     * @param store where the model is published
     * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
     * @param bundled a class-path folder holding {@code model.json} and the weights it names (for
     *     example {@code /models/segmentation/}), read with {@code resources}
     * @param resources the class whose loader finds the bundled model (the app's task)
     */
    public static ServedModel open(
            String name,
            ModelStore store,
            String device,
            Optional<String> bundled,
            Class<?> resources)
            throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(store, "store");
        ServedModel served = new ServedModel(name, store, Devices.resolve(device));
        try {
            if (!Files.exists(served.card) && bundled.isPresent()) {
                served.installBundled(bundled.get(), resources);
            }
            if (!served.refresh()) {
                logger.warn(
                        "Model '{}' has no weights yet ({} is missing): it answers once trained",
                        name,
                        served.card);
            }
        } catch (IOException | RuntimeException e) {
            served.close();
            throw e;
        }
        return served;
    }

    /**
     * Labels as a card's foreground labels: index 0 (background) left out, ordered by index (what a
     * task declares before its model is loaded).
     */
    public static Map<String, Integer> foreground(Map<String, Integer> labels) {
        Map<String, Integer> foreground = new LinkedHashMap<>();
        labels.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> foreground.put(e.getKey(), e.getValue()));
        return foreground;
    }

    /**
     * The labels clients see: the loaded card's foreground labels, else {@code declared}.
     *
     * @param served the task's served model, null before {@code open}
     */
    public static Map<String, Integer> labels(ServedModel served, Map<String, Integer> declared) {
        if (served == null) {
            return declared;
        }
        Optional<ModelCard> card =
                served.stale ? served.announced : served.loaded().map(LoadedModel::card);
        return card.map(ModelCard::foregroundLabels).orElse(declared);
    }

    /** The store the model is served from. */
    public ModelStore store() {
        return store;
    }

    /** The device the model runs on. */
    public Device device() {
        return device;
    }

    /** The version being served, if any (after loading a newer one the store announced). */
    public Optional<LoadedModel> current() throws IOException {
        if (stale) {
            refreshIfStale();
        }
        return Optional.ofNullable(model);
    }

    private synchronized void refreshIfStale() throws IOException {
        if (stale) { // another request may have loaded it meanwhile
            refresh();
        }
    }

    /**
     * What is loaded now, without looking for a newer version (for {@code /info/}, which must be
     * cheap).
     */
    public Optional<LoadedModel> loaded() {
        return Optional.ofNullable(model);
    }

    /**
     * The version being served.
     *
     * @throws ConflictException when there is none (never trained, or removed)
     */
    public LoadedModel require() throws IOException {
        return current().orElseThrow(() -> noWeights(name));
    }

    /** The error of a model without weights. */
    public static ConflictException noWeights(String name) {
        return new ConflictException(
                "Model '" + name + "' has no trained weights yet: train it first");
    }

    /**
     * Loads the store's current version now (normally done on the first request after a change).
     *
     * @return whether a model is being served
     */
    public synchronized boolean refresh() throws IOException {
        stale = false; // a change announced while loading marks it stale again
        if (!Files.exists(card)) {
            announced = Optional.empty();
            if (model != null) {
                LoadedModel old = model;
                model = null;
                old.close(); // closes once the requests holding it are done
                logger.info(
                        "Model '{}' v{} unpublished: no longer served", name, old.card().version());
            }
            return false;
        }
        LoadedModel loaded;
        try {
            loaded = LoadedModel.load(card, device);
        } catch (IOException | RuntimeException e) {
            stale = true; // try again on the next request
            throw e;
        }
        LoadedModel old = model;
        model = loaded;
        announced = Optional.of(loaded.card());
        if (old != null) {
            old.close(); // closes once the requests holding it are done
        }
        logger.info(
                "Model '{}' v{} loaded on {}",
                name,
                loaded.card().version(),
                Devices.nameOf(device));
        return true;
    }

    /** Publishes the bundled card and weights as the model's first version. */
    private void installBundled(String resourceFolder, Class<?> resources) throws IOException {
        String prefix = resourceFolder.endsWith("/") ? resourceFolder : resourceFolder + "/";
        ModelCard bundled;
        try (InputStream in = resources.getResourceAsStream(prefix + ModelCard.FILE_NAME)) {
            if (in == null) {
                logger.warn("Model '{}': no bundled model at {}", name, prefix);
                return;
            }
            bundled =
                    ModelCard.fromMap(
                            new Gson()
                                    .fromJson(
                                            new String(in.readAllBytes(), StandardCharsets.UTF_8),
                                            Map.class));
        }
        try (InputStream in = resources.getResourceAsStream(prefix + bundled.weights())) {
            if (in == null) {
                throw new IOException(
                        "Bundled model '"
                                + name
                                + "' lacks its weights "
                                + prefix
                                + bundled.weights());
            }
            new ModelVersions(store, Integer.MAX_VALUE).publish(bundled, in);
        }
        logger.info(
                "Model '{}': installed the bundled v{} into {}",
                name,
                bundled.version(),
                store.folder());
    }

    /** Stops listening to the store and closes the model once the requests holding it are done. */
    @Override
    public void close() {
        subscription.close();
        LoadedModel m = model;
        model = null;
        if (m != null) {
            m.close();
        }
    }
}
