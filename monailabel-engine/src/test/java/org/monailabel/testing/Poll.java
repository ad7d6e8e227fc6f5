package org.monailabel.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, instead of sleeping a fixed time in a test. */
public final class Poll {
    private Poll() {}

    /**
     * Returns as soon as {@code condition} holds; fails with {@link AssertionError} naming {@code
     * what} once {@code timeout} has passed.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, Duration.ofMillis(20), condition);
    }

    /**
     * As {@link #until(String, Duration, BooleanSupplier)}, checking every {@code interval}: for
     * conditions that cost the system under test real work (an HTTP request to a server that is
     * busy training), so that the test does not compete with what it waits for.
     */
    public static void until(
            String what, Duration timeout, Duration interval, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(
                        "Timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(
                        interval.toMillis()); // the polling interval, not a wait for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted waiting for " + what, e);
            }
        }
    }
}
