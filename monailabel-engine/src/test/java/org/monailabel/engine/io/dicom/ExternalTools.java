package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.monailabel.testing.Interop;

/** Skips a test, saying why, when an independent tool (pydicom, dcmdump) is not installed. */
public final class ExternalTools {
    private ExternalTools() {}

    /**
     * Aborts the calling test (as skipped; failed in CI) unless {@code command} runs and exits with
     * 0.
     */
    public static void assumeCommand(String what, String... command) {
        String why;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            why =
                    done && p.exitValue() == 0
                            ? null
                            : "'" + command[0] + "' failed: " + output.strip();
        } catch (IOException e) {
            why = command[0] + " cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        Interop.require(what, why);
    }
}
