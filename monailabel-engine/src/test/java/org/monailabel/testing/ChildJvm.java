package org.monailabel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Starts a test main class in a child JVM with the test class path. */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Dai.djl.offline=true");
        command.add(
                "-Dai.djl.pytorch.num_threads=1"); // as the test JVM: tiny tensors, shared cores
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads the child's stdout until a line equal to {@code expected}; false at end of stream. */
    public static boolean awaitLine(Process process, String expected) throws IOException {
        BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.equals(expected)) {
                return true;
            }
        }
        return false;
    }

    public static Path path(String arg) {
        return Paths.get(arg);
    }
}
