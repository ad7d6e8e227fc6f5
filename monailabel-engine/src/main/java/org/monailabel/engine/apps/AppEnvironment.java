package org.monailabel.engine.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.ModelStores;
import org.monailabel.api.error.AppException;

/**
 * What every app is opened with: the {@code --conf} settings, the datastore, the device, and the
 * server's folders.
 *
 * @param config the {@code --conf} settings ({@code models} selects inference tasks and trainers)
 * @param datastore the datastore tasks work on; owned by the caller
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param workDir the server's private folder; shadow copies of app jars go to {@code
 *     <workDir>/app-shadow}, and class-path apps see it as their app folder
 * @param modelsDir the parent of each app's model folder {@code <modelsDir>/<app name>}
 * @param stores the model stores of each app by app name, filled on first use
 */
public record AppEnvironment(
        AppConfig config,
        Datastore datastore,
        String device,
        Path workDir,
        Path modelsDir,
        Map<String, ModelStores> stores) {
    public AppEnvironment {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(datastore, "datastore");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(stores, "stores");
    }

    /** An environment whose apps get model stores made on first use and kept while it lives. */
    public AppEnvironment(
            AppConfig config, Datastore datastore, String device, Path workDir, Path modelsDir) {
        this(config, datastore, device, workDir, modelsDir, new ConcurrentHashMap<>());
    }

    /**
     * The model stores of the app {@code appName}, the same object every time (an app that is
     * reloaded finds the stores its previous version used).
     */
    public ModelStores modelStores(String appName) {
        return stores.computeIfAbsent(appName, n -> new ModelStores(modelsDir.resolve(n)));
    }

    /** Where shadow copies of app jars go. */
    Path shadowRoot() {
        return workDir.resolve("app-shadow");
    }

    /** The context of an app, creating its model folder. */
    AppContext contextFor(AppSource source) {
        Path modelDir = modelsDir.resolve(source.name());
        try {
            Files.createDirectories(modelDir);
        } catch (IOException e) {
            throw new AppException("Could not create the model folder of app " + source.name(), e);
        }
        return new AppContext(
                source.name(),
                source.appDir(),
                modelDir,
                config,
                datastore,
                device,
                modelStores(source.name()));
    }
}
