package org.monailabel.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("engine")
class OfflineEngineTest {
    @TempDir Path cache;

    /** The PyTorch version of the native jar on the class path (2.7.1, or 2.5.1 in the cuda build). */
    private static String nativeVersion() throws IOException {
        try (InputStream in = OfflineEngineTest.class.getClassLoader()
                .getResourceAsStream("native/lib/pytorch.properties")) {
            assertThat(in).as("a PyTorch native jar on the class path").isNotNull();
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            return version.contains("-") ? version.substring(0, version.indexOf('-')) : version;
        }
    }

    /**
     * A fresh JVM with an empty DJL cache and no network proxy settings: the engine must come up
     * from the native jar on the class path alone, without ai.djl.offline given on the command line.
     */
    @Test
    void pytorchStartsFromAnEmptyCacheWithoutTheNetwork() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java,
                "-cp", System.getProperty("java.class.path"),
                "-DDJL_CACHE_DIR=" + cache.resolve("djl"),
                "-DENGINE_CACHE_DIR=" + cache.resolve("engine"),
                // an unreachable proxy: any download attempt fails instead of silently succeeding
                "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9", "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9",
                OfflineEngineCheck.class.getName())
                .redirectErrorStream(true);
        pb.environment().remove("DJL_CACHE_DIR");
        pb.environment().remove("ENGINE_CACHE_DIR");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("engine=PyTorch", "version=" + nativeVersion(), "sum=15.0", "offline=true");
        try (Stream<Path> files = Files.walk(cache)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("native library extracted into the fresh cache").contains("libtorch_cpu.so");
        }
    }

    @Test
    void devicesResolveToTheCpuWithoutAGpu() {
        assertThat(Devices.nameOf(Devices.resolve("cpu"))).isEqualTo("cpu");
        if (Devices.gpuCount() == 0) {
            assertThat(Devices.nameOf(Devices.resolve("auto"))).isEqualTo("cpu");
        }
    }
}
