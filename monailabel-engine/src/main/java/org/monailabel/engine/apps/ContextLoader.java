package org.monailabel.engine.apps;

/** Sets the thread context class loader around a call into app code and restores it. */
final class ContextLoader {
    private ContextLoader() {}

    /** A call that may throw. */
    @FunctionalInterface
    interface Call<R, E extends Exception> {
        R call() throws E;
    }

    static <R, E extends Exception> R with(ClassLoader loader, Call<R, E> call) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
