package org.monailabel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PyTorch ({@code python3-torch} under {@code /usr/bin/python3}, as MONAI runs on it) for
 * the tests that check a file the server writes loads in torch; the scripts run with {@code
 * NibabelProcess.run}.
 */
public final class TorchPython {
    public static final String PYTHON = "/usr/bin/python3";

    private TorchPython() {}

    /**
     * Aborts the calling test (as skipped; failed in CI) if torch is not importable, saying why;
     * else torch's version.
     */
    public static String assumeTorch() {
        String why;
        String version = null;
        try {
            Process p =
                    new ProcessBuilder(
                                    PYTHON, "-c", "import torch, numpy; print(torch.__version__)")
                            .redirectErrorStream(true)
                            .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            if (done && p.exitValue() == 0) {
                why = null;
                version = output.strip();
            } else {
                why = "import torch failed: " + output.strip();
            }
        } catch (IOException e) {
            why = PYTHON + " cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        Interop.require("torch", why);
        return version;
    }
}
