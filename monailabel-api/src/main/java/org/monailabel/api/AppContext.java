package org.monailabel.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What an app's tasks get when they are opened: where the app lives, where its models go, its
 * settings, the datastore and the compute device. Tasks keep it for their lifetime; the server owns
 * and closes the datastore.
 *
 * @param appName the app's name (its jar or folder name, or {@code classpath} when embedded)
 * @param appDir the app's directory (a jar's folder or the app folder); read-only for tasks
 * @param modelDir where the app reads and publishes model weights; created by the server
 * @param config the {@code --conf} settings
 * @param datastore the images and labels being annotated
 * @param device the compute device to run models on: {@code cpu}, or {@code cuda} / {@code cuda:N}
 *     where a GPU is present
 * @param models the stores of the app's models (folders under {@code modelDir}), shared by all the
 *     app's tasks so that a trainer's publish reaches the task serving the model
 */
public record AppContext(
        String appName,
        Path appDir,
        Path modelDir,
        AppConfig config,
        Datastore datastore,
        String device,
        ModelStores models) {
    public AppContext {
        Objects.requireNonNull(appName, "appName");
        Objects.requireNonNull(appDir, "appDir");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(datastore, "datastore");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(models, "models");
        if (!models.modelDir().equals(modelDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(
                    "models are for " + models.modelDir() + ", not " + modelDir);
        }
    }

    /** A context with its own model stores (for a task used on its own, outside a server). */
    public AppContext(
            String appName,
            Path appDir,
            Path modelDir,
            AppConfig config,
            Datastore datastore,
            String device) {
        this(appName, appDir, modelDir, config, datastore, device, new ModelStores(modelDir));
    }

    /** The store of the model folder {@code name} ({@code <modelDir>/<name>}). */
    public ModelStore modelStore(String name) {
        return models.of(name);
    }
}
