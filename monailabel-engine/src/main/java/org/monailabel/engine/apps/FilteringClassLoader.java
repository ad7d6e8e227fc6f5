package org.monailabel.engine.apps;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The parent of every app's class loader: it shows the platform classes and, from the host loader,
 * only the packages apps share with the server (the API, the engine, DJL, SLF4J). The rest of the
 * host class path (Undertow, Gson, picocli, logback, ...) stays hidden, so an app cannot come to
 * depend on the server's libraries, and the shared types (and PyTorch's native library, which loads
 * only once per process) stay identical across apps.
 *
 * <p>Resources pass through from the host, except the service files of monailabel's own interfaces
 * ({@code META-INF/services/org.monailabel.*}): an app sees only its own tasks. Thread-safe.
 */
public final class FilteringClassLoader extends ClassLoader {
    /** Package prefixes an app sees from the host. */
    public static final List<String> SHARED_PACKAGES =
            List.of("org.monailabel.api.", "org.monailabel.engine.", "ai.djl.", "org.slf4j.");

    private static final String HIDDEN_SERVICES = "META-INF/services/org.monailabel.";

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader host;

    /** A filter over {@code host}, whose parent is the platform class loader. */
    public FilteringClassLoader(ClassLoader host) {
        super("monailabel-shared", ClassLoader.getPlatformClassLoader());
        this.host = Objects.requireNonNull(host, "host");
    }

    /** Whether a class of this binary name is taken from the host. */
    public static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return host.loadClass(name);
        }
        return super.loadClass(name, resolve); // platform classes, else ClassNotFoundException
    }

    @Override
    public URL getResource(String name) {
        return isHiddenResource(name) ? null : host.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return isHiddenResource(name) ? Collections.emptyEnumeration() : host.getResources(name);
    }

    private static boolean isHiddenResource(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        return n.startsWith(HIDDEN_SERVICES);
    }
}
