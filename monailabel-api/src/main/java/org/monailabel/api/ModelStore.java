package org.monailabel.api;

import java.nio.file.Path;

/**
 * The published weights of one model: its folder under the app's model folder, and notice of every
 * change of the version being served. There is one store per model folder and app, shared by
 * everything that touches the model (the task serving it, the trainer publishing it, a scoring
 * method reading it, the server's model upload and delete), so that a publish reaches the serving
 * task at once instead of the task looking at the folder on every request.
 *
 * <p>What the folder holds is the engine's business (its {@code ModelVersions} keeps {@code
 * model.json}, the weights and {@code versions/v<N>/}); whoever changes the version being served
 * calls {@link #changed()} once the change is complete on disk. Thread-safe.
 */
public interface ModelStore {
    /** The folder's name, usually the model's name. */
    String name();

    /** The model's folder ({@code <modelDir>/<name>}); it may not exist yet. */
    Path folder();

    /**
     * Calls {@code listener} after every {@link #changed()}, on the thread that called it, until
     * the subscription is closed. A listener should be quick (note the change; load on next use); a
     * listener that throws is logged and does not stop the others.
     */
    Subscription subscribe(Runnable listener);

    /**
     * Tells the subscribers that the version being served changed (published, rolled back or
     * removed).
     */
    void changed();

    /** A registration made by {@link #subscribe}; closing it stops the notices. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
