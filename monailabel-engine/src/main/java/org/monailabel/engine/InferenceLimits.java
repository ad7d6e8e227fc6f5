package org.monailabel.engine;

/**
 * How many requests of one model run at once and how many more may wait: past that an inference is
 * refused at once with a {@link org.monailabel.api.error.BusyException} (HTTP 503 with {@code
 * Retry-After: 1}) instead of piling up. One policy for every model; the tasks' own worker pools
 * are sized from it ({@code --conf infer_threads} and {@code infer_queue}).
 *
 * @param threads requests of one model running at once (at least 1)
 * @param queue requests of one model waiting beyond those (at least 0)
 */
public record InferenceLimits(int threads, int queue) {
    /** The conf key that sets {@link #threads} (and the tasks' worker count). */
    public static final String THREADS = "infer_threads";

    /** The conf key that sets {@link #queue}. */
    public static final String QUEUE = "infer_queue";

    public InferenceLimits {
        if (threads < 1 || queue < 0) {
            throw new IllegalArgumentException(
                    "infer threads must be at least 1 and the queue at least 0, got "
                            + threads
                            + " and "
                            + queue);
        }
    }

    /** Half the cores (at least one) running, 16 waiting. */
    public static InferenceLimits defaults() {
        return new InferenceLimits(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 16);
    }
}
