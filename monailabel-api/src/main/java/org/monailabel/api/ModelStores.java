package org.monailabel.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link ModelStore}s of one app: one per folder under the app's model folder, made on first
 * use and kept for the life of the server (an app that is reloaded finds the same stores, and its
 * new tasks subscribe again). Thread-safe.
 */
public final class ModelStores {
    private static final Logger logger = Logger.getLogger(ModelStores.class.getName());

    private final Path modelDir;
    private final Map<String, ModelStore> stores = new ConcurrentHashMap<>();

    /**
     * @param modelDir the app's model folder ({@link AppContext#modelDir()})
     */
    public ModelStores(Path modelDir) {
        this.modelDir = Objects.requireNonNull(modelDir, "modelDir").toAbsolutePath().normalize();
    }

    /** The app's model folder. */
    public Path modelDir() {
        return modelDir;
    }

    /**
     * The store of the model folder {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is not a plain folder name
     */
    public ModelStore of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.contains("/")
                || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Not a model folder name: '" + name + "'");
        }
        return stores.computeIfAbsent(name, n -> new FolderStore(n, modelDir.resolve(n)));
    }

    /**
     * The store of {@code folder}, which must be a folder directly under the model folder.
     *
     * @throws IllegalArgumentException otherwise
     */
    public ModelStore forFolder(Path folder) {
        Path normal = folder.toAbsolutePath().normalize();
        if (normal.getParent() == null || !normal.getParent().equals(modelDir)) {
            throw new IllegalArgumentException(
                    folder + " is not a folder directly under " + modelDir);
        }
        return of(normal.getFileName().toString());
    }

    private static final class FolderStore implements ModelStore {
        private final String name;
        private final Path folder;
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        FolderStore(String name, Path folder) {
            this.name = name;
            this.folder = folder;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Path folder() {
            return folder;
        }

        @Override
        public Subscription subscribe(Runnable listener) {
            Objects.requireNonNull(listener, "listener");
            Runnable registered =
                    listener::run; // a distinct object: the same listener may subscribe twice
            listeners.add(registered);
            return () -> listeners.remove(registered);
        }

        @Override
        public void changed() {
            for (Runnable listener : listeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    logger.log(
                            Level.WARNING, "A listener of model folder '" + name + "' failed", e);
                }
            }
        }

        @Override
        public String toString() {
            return "ModelStore[" + folder + "]";
        }
    }
}
