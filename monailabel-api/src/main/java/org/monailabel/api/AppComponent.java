package org.monailabel.api;

import java.io.IOException;

/**
 * The lifecycle every task of an app shares. An implementation is a public class with a cheap
 * public no-arg constructor, listed in {@code META-INF/services/<interface name>} of the app jar;
 * the server constructs it, calls {@link #open} once before any other call but {@code info()}, and
 * {@link #close} once when the app is unloaded (after requests in flight have finished).
 */
public interface AppComponent extends AutoCloseable {
    /** The name the component is reached by; unique per kind across all loaded apps. */
    String name();

    /** Loads models and other heavy resources. The default does nothing. */
    default void open(AppContext context) throws IOException {}

    /** Frees models and native memory; idempotent. The default does nothing. */
    @Override
    default void close() {}
}
