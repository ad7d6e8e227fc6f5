package org.monailabel.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.monailabel.testing.Interop;

/** Runs the system Python ({@code /usr/bin/python3}) with nibabel for interop tests. */
public final class NibabelProcess {
    public static final String PYTHON = "/usr/bin/python3";

    private NibabelProcess() {}

    /**
     * Aborts the calling test class (as skipped; failed in CI) if nibabel is not importable, saying
     * why.
     */
    public static void assumeNibabel() {
        String why;
        try {
            Process p =
                    new ProcessBuilder(PYTHON, "-c", "import nibabel, numpy")
                            .redirectErrorStream(true)
                            .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            why = done && p.exitValue() == 0 ? null : "import nibabel failed: " + output.strip();
        } catch (IOException e) {
            why = PYTHON + " cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        Interop.require("nibabel", why);
    }

    /**
     * Copies the script from test resources {@code interop/<script>} into {@code dir} and runs it
     * with the arguments; returns its standard output, failing the test on a non-zero exit.
     */
    public static String run(Path dir, String script, List<String> args)
            throws IOException, InterruptedException {
        Path file = dir.resolve(script);
        try (InputStream in = NibabelProcess.class.getResourceAsStream("/interop/" + script)) {
            Files.copy(in, file);
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, file.toString()));
        command.addAll(args);
        Path stderr = dir.resolve(script + ".stderr");
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(p.exitValue())
                .as("python exit code; stderr: %s", Files.readString(stderr))
                .isZero();
        return out;
    }
}
