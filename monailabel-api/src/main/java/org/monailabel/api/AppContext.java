package org.monailabel.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What an app's tasks get when they are opened: where the app lives, where its models go, its
 * settings, the datastore and the compute device. Tasks keep it for their lifetime; the server
 * owns and closes the datastore.
 *
 * @param appName the app's name (its jar or folder name, or {@code classpath} when embedded)
 * @param appDir the app's directory (a jar's folder or the app folder); read-only for tasks
 * @param modelDir where the app reads and publishes model weights; created by the server
 * @param config the {@code --conf} settings
 * @param datastore the images and labels being annotated
 * @param device the compute device to run models on: {@code cpu}, or {@code cuda} / {@code
 *     cuda:N} where a GPU is present
 */
public record AppContext(String appName, Path appDir, Path modelDir, AppConfig config, Datastore datastore, String device) {
    public AppContext {
        Objects.requireNonNull(appName, "appName");
        Objects.requireNonNull(appDir, "appDir");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(datastore, "datastore");
        Objects.requireNonNull(device, "device");
    }
}
