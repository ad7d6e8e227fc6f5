package org.monailabel.engine.apps;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import org.monailabel.api.AppComponent;
import org.monailabel.api.error.AppException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link AppSource} into a {@link LoadedApp}: copies the jars to a shadow folder, checks
 * they are jars, creates the app's {@code URLClassLoader} (named {@code app:<name>}, parent the
 * {@link FilteringClassLoader}) and discovers its components with {@link ServiceLoader}. One bad
 * provider does not hide the others: each failure is logged and recorded, and discovery goes on.
 */
final class AppLoader {
    private static final Logger logger = LoggerFactory.getLogger(AppLoader.class);
    private static final int MAX_ERRORS_PER_KIND =
            100; // a broken service file must not loop forever

    /** A discovered app and what went wrong while discovering it (empty when nothing did). */
    record Discovery(LoadedApp app, List<String> errors) {}

    private final ClassLoader shared;
    private final Path shadowRoot;
    private final ModelSelection selection;

    AppLoader(ClassLoader shared, Path shadowRoot, ModelSelection selection) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.shadowRoot = Objects.requireNonNull(shadowRoot, "shadowRoot");
        this.selection = Objects.requireNonNull(selection, "selection");
    }

    /** Loads and discovers; an {@link AppException} when the jars cannot even be read. */
    Discovery load(AppSource source) {
        if (!source.components().isEmpty()) {
            ClassLoader loader = source.classLoader().orElseThrow();
            List<String> errors = new ArrayList<>();
            List<AppTask> tasks = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (AppComponent component : source.components()) {
                TaskKind<?> kind =
                        TaskKind.ALL.stream()
                                .filter(k -> k.type().isInstance(component))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new AppException(
                                                        component.getClass().getName()
                                                                + " is no kind of task"));
                String name = component.name();
                if (!names.add(kind.label() + ":" + name)) {
                    errors.add(
                            "Two "
                                    + kind.label()
                                    + "s named '"
                                    + name
                                    + "' in "
                                    + source.sourceName());
                } else if (selection.serves(kind, name)) {
                    tasks.add(new AppTask(kind, name, component, kind.infoOf(component)));
                }
            }
            return new Discovery(new LoadedApp(source, loader, Optional.empty(), tasks), errors);
        }
        if (source.isClasspath()) {
            ClassLoader loader = source.classLoader().orElseThrow();
            List<String> errors = new ArrayList<>();
            List<AppTask> tasks = discoverAll(source, loader, false, errors);
            return new Discovery(new LoadedApp(source, loader, Optional.empty(), tasks), errors);
        }
        ShadowCopy shadow = copy(source);
        URLClassLoader loader;
        try {
            checkJars(source, shadow);
            loader = new URLClassLoader("app:" + source.name(), urls(shadow), shared);
        } catch (RuntimeException e) {
            shadow.delete();
            throw e;
        }
        List<String> errors = new ArrayList<>();
        List<AppTask> tasks = discoverAll(source, loader, true, errors);
        return new Discovery(new LoadedApp(source, loader, Optional.of(shadow), tasks), errors);
    }

    private ShadowCopy copy(AppSource source) {
        try {
            return ShadowCopy.create(shadowRoot, source.name(), source.jars());
        } catch (IOException e) {
            throw new AppException(
                    "Could not copy " + source.sourceName() + ": " + e.getMessage(), e);
        }
    }

    private static void checkJars(AppSource source, ShadowCopy shadow) {
        for (Path jar : shadow.jars()) {
            try (JarFile jarFile = new JarFile(jar.toFile())) {
                jarFile.getManifest(); // opening reads the central directory, this the manifest
            } catch (IOException e) {
                String where = source.jars().size() == 1 ? "" : " of " + source.sourceName();
                throw new AppException(
                        jar.getFileName() + where + " is not a valid jar: " + e.getMessage(), e);
            }
        }
    }

    private static URL[] urls(ShadowCopy shadow) {
        List<Path> jars = shadow.jars();
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new AppException("Bad jar path " + jars.get(i).getFileName(), e);
            }
        }
        return urls;
    }

    private List<AppTask> discoverAll(
            AppSource source, ClassLoader loader, boolean ownOnly, List<String> errors) {
        List<AppTask> tasks = new ArrayList<>();
        for (TaskKind<?> kind : TaskKind.ALL) {
            discover(kind, source, loader, ownOnly, tasks, errors);
        }
        return tasks;
    }

    private <T extends AppComponent> void discover(
            TaskKind<T> kind,
            AppSource source,
            ClassLoader loader,
            boolean ownOnly,
            List<AppTask> tasks,
            List<String> errors) {
        Iterator<ServiceLoader.Provider<T>> it =
                ServiceLoader.load(kind.type(), loader).stream().iterator();
        Set<String> names = new HashSet<>();
        int failures = 0;
        while (failures < MAX_ERRORS_PER_KIND) {
            ServiceLoader.Provider<T> provider;
            try {
                if (!it.hasNext()) {
                    return;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
                record(errors, source, kind, e);
                continue;
            }
            if (ownOnly && provider.type().getClassLoader() != loader) {
                continue; // seen through the parent: not this app's
            }
            try {
                T component = ContextLoader.with(loader, provider::get);
                Object info = ContextLoader.with(loader, () -> kind.infoOf(component));
                String name = ContextLoader.with(loader, component::name);
                if (!names.add(name)) {
                    errors.add(
                            "Two "
                                    + kind.label()
                                    + "s named '"
                                    + name
                                    + "' in "
                                    + source.sourceName());
                } else if (selection.serves(kind, name)) {
                    tasks.add(new AppTask(kind, name, component, info));
                } else {
                    logger.debug(
                            "{} '{}' of app {} not selected by --conf models",
                            kind.label(),
                            name,
                            source.name());
                }
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                failures++;
                record(errors, source, kind, e, provider.type().getName());
            }
        }
    }

    private static void record(
            List<String> errors, AppSource source, TaskKind<?> kind, Throwable e) {
        logger.warn("Skipping a {} in {}: {}", kind.label(), source.sourceName(), describe(e));
        errors.add(kind.label() + ": " + describe(e));
    }

    private static void record(
            List<String> errors, AppSource source, TaskKind<?> kind, Throwable e, String type) {
        logger.warn(
                "Skipping {} {} in {}: {}", kind.label(), type, source.sourceName(), describe(e));
        errors.add(kind.label() + " " + type + ": " + describe(e));
    }

    /** The exception and its root cause: "could not be instantiated" alone does not say why. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }
}
