package org.monailabel.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What an interop test does when the independent tool it needs (nibabel, pydicom, dcmtk, torch,
 * Orthanc, Chromium) is missing: on a developer's machine it is skipped, saying why; in CI (the
 * {@code CI} environment variable set, as {@code .ci/run} and CI services set it), where the tools
 * are installed, it fails, so that a broken install step cannot hide behind skipped tests.
 */
public final class Interop {
    private Interop() {}

    /** Whether missing tools fail the tests (CI) rather than skip them. */
    public static boolean required() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /**
     * Goes on if {@code why} is null; else skips the calling test, or fails it in CI.
     *
     * @param what the tool, for the message
     * @param why why it is not available, or null when it is
     */
    public static void require(String what, String why) {
        if (why == null) {
            return;
        }
        String message = what + " not available: " + why;
        if (required()) {
            Assertions.fail(message + " (CI installs it: see .ci/run)");
        }
        System.out.println("Skipping " + what + " interop tests: " + why);
        Assumptions.assumeTrue(false, message);
    }
}
