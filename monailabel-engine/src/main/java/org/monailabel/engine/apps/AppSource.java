package org.monailabel.engine.apps;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.AppComponent;

/**
 * Where an app comes from: one jar in the apps folder, a sub-folder of jars, or the class path of
 * an embedding program.
 *
 * @param name the app's name
 * @param sourceName the jar or folder name shown in messages and {@code /info/}
 * @param appDir the folder the app's tasks see as {@link org.monailabel.api.AppContext#appDir()}
 * @param jars the jars to load (copied to a shadow folder first); empty for a class-path app
 * @param classLoader the loader to discover in, for a class-path app
 * @param fingerprint names, sizes and modification times of the jars, to notice a change
 * @param components ready-made components (bundles given on the command line) instead of discovery;
 *     empty for the others
 */
public record AppSource(
        String name,
        String sourceName,
        Path appDir,
        List<Path> jars,
        Optional<ClassLoader> classLoader,
        String fingerprint,
        List<AppComponent> components) {
    /** The name of the app made of the embedding program's class path. */
    public static final String CLASSPATH = "classpath";

    public AppSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(appDir, "appDir");
        jars = List.copyOf(jars);
        Objects.requireNonNull(classLoader, "classLoader");
        Objects.requireNonNull(fingerprint, "fingerprint");
        components = List.copyOf(components);
    }

    /**
     * The apps found by {@link java.util.ServiceLoader} in {@code loader}, seen as one app named
     * {@code classpath}.
     */
    public static AppSource classpath(ClassLoader loader, Path appDir) {
        return new AppSource(
                CLASSPATH, CLASSPATH, appDir, List.of(), Optional.of(loader), "", List.of());
    }

    /**
     * An app of ready-made components, seen through {@code loader} (the engine's, for the bundles
     * given on the command line).
     */
    public static AppSource ofComponents(
            String name, Path appDir, ClassLoader loader, List<AppComponent> components) {
        return new AppSource(name, name, appDir, List.of(), Optional.of(loader), "", components);
    }

    /** Whether this app is the embedding program's class path (no own class loader). */
    public boolean isClasspath() {
        return classLoader.isPresent();
    }
}
