package org.monailabel.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.InvalidInputException;

@Tag("engine")
class OfflineEngineTest {
    @TempDir Path cache;

    /**
     * A fresh JVM with an empty DJL cache and no network proxy settings: the engine must come up
     * from the native jar on the class path alone, without ai.djl.offline given on the command
     * line.
     */
    @Test
    void pytorchStartsFromAnEmptyCacheWithoutTheNetwork() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                "-DDJL_CACHE_DIR=" + cache.resolve("djl"),
                                "-DENGINE_CACHE_DIR=" + cache.resolve("engine"),
                                // an unreachable proxy: any download attempt fails instead of
                                // silently succeeding
                                "-Dhttp.proxyHost=127.0.0.1",
                                "-Dhttp.proxyPort=9",
                                "-Dhttps.proxyHost=127.0.0.1",
                                "-Dhttps.proxyPort=9",
                                OfflineEngineCheck.class.getName())
                        .redirectErrorStream(true);
        pb.environment().remove("DJL_CACHE_DIR");
        pb.environment().remove("ENGINE_CACHE_DIR");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        String version = System.getProperty("monailabel.test.pytorch.version", "2.7.1");
        assertThat(output)
                .contains("engine=PyTorch", "version=" + version, "sum=15.0", "offline=true")
                .contains("PyTorch " + version + " (CPU build): models run on the CPU");
        try (Stream<Path> files = Files.walk(cache)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names)
                    .as("native library extracted into the fresh cache")
                    .contains("libtorch_cpu.so");
        }
    }

    @Test
    void onlyCpuNativesMakeACpuBuild() throws IOException {
        assertThat(Devices.cpuBuild()).isTrue();
        assertThat(Devices.nativeFlavors(Devices.class.getClassLoader())).containsExactly("cpu");
        // the CUDA build carries the CPU native beside the CUDA one (DJL falls back to it without a
        // GPU)
        Path cpu = nativeJarTree("cpu");
        Path cuda = nativeJarTree("cu124");
        try (URLClassLoader both =
                new URLClassLoader(new URL[] {cpu.toUri().toURL(), cuda.toUri().toURL()}, null)) {
            List<String> flavors = Devices.nativeFlavors(both);
            assertThat(flavors).containsExactly("cpu", "cu124");
            assertThat(Devices.cpuOnly(flavors)).isFalse();
        }
        assertThat(Devices.cpuOnly(List.of("cpu", "cpu-precxx11"))).isTrue();
        assertThat(Devices.cpuOnly(List.of()))
                .as("no native jar: PYTORCH_LIBRARY_PATH may be a CUDA build")
                .isFalse();
    }

    @Test
    void askingTheCpuBuildForAGpuSaysItIsTheCpuBuild() {
        assertThatThrownBy(() -> Devices.resolve("cuda:1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("CPU build");
    }

    private Path nativeJarTree(String flavor) throws IOException {
        Path root = Files.createDirectories(cache.resolve("native-" + flavor));
        Path properties =
                Files.createDirectories(root.resolve("native/lib")).resolve("pytorch.properties");
        Files.writeString(
                properties,
                "version=2.5.1-20241113\nflavor=" + flavor + "\nclassifier=linux-x86_64\n");
        return root;
    }

    @Test
    void devicesResolveToTheCpuWithoutAGpu() {
        assertThat(Devices.nameOf(Devices.resolve("cpu"))).isEqualTo("cpu");
        if (Devices.gpuCount() == 0) {
            assertThat(Devices.nameOf(Devices.resolve("auto"))).isEqualTo("cpu");
        }
    }
}
