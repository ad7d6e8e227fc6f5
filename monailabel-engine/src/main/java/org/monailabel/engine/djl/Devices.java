package org.monailabel.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.monailabel.api.error.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine offline and maps device names ({@code auto}, {@code cpu}, {@code
 * cuda}, {@code cuda:N}, {@code gpu}) to DJL devices. {@code auto} means the first GPU when one is
 * present, else the CPU. Thread-safe.
 */
public final class Devices {
    private static final Logger logger = LoggerFactory.getLogger(Devices.class);

    /** The system property that stops DJL from downloading anything at run time. */
    public static final String OFFLINE_PROPERTY = "ai.djl.offline";

    private static final List<String> NATIVE_FLAVORS =
            nativeFlavors(Devices.class.getClassLoader());
    private static boolean announced;

    private Devices() {}

    /**
     * The PyTorch engine, started with {@code ai.djl.offline=true} unless the property was set
     * explicitly: the native library comes from the {@code pytorch-native-*} jar on the class path,
     * never from the network.
     */
    public static synchronized Engine engine() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (!announced) {
            announced = true;
            logger.info("{}", describe(engine));
        }
        return engine;
    }

    /**
     * Number of GPUs the engine sees: none with the CPU build of PyTorch, which cannot use one (and
     * whose probe only logs a warning where a CUDA runtime but no driver is installed).
     */
    public static int gpuCount() {
        Engine engine = engine();
        return cpuBuild() ? 0 : engine.getGpuCount();
    }

    /**
     * Whether the PyTorch on the class path is the CPU build only (no GPU support): every PyTorch
     * native jar there is a CPU flavor. The CUDA build also carries the CPU jar, which DJL falls
     * back to where it finds no usable GPU; that build is not a CPU build.
     */
    public static boolean cpuBuild() {
        return cpuOnly(NATIVE_FLAVORS);
    }

    /** Whether native jars of these flavors make a CPU-only build. */
    static boolean cpuOnly(List<String> flavors) {
        return !flavors.isEmpty() && flavors.stream().allMatch(f -> f.startsWith("cpu"));
    }

    /** The line the engine start logs: which PyTorch runs, and on what. */
    static String describe(Engine engine) {
        String version = engine.getVersion();
        if (cpuBuild()) {
            return "PyTorch " + version + " (CPU build): models run on the CPU";
        }
        List<String> cuda = NATIVE_FLAVORS.stream().filter(f -> f.startsWith("cu")).toList();
        if (engine.hasCapability(StandardCapabilities.CUDA)) {
            int gpus = engine.getGpuCount();
            StringBuilder b =
                    new StringBuilder(
                            "PyTorch "
                                    + version
                                    + " ("
                                    + String.join(", ", cuda)
                                    + " build) with "
                                    + gpus
                                    + " GPU(s)");
            for (int i = 0; i < gpus; i++) {
                b.append(i == 0 ? ": " : ", ")
                        .append("cuda:")
                        .append(i)
                        .append(" compute capability ")
                        .append(computeCapability(i));
            }
            return b.toString();
        }
        if (!cuda.isEmpty()) {
            return "PyTorch "
                    + version
                    + " ("
                    + String.join(", ", cuda)
                    + " build) found no usable GPU and runs on the CPU: DJL needs an NVIDIA driver"
                    + " and the CUDA runtime library (libcudart) to detect one (see docs/cuda.md)";
        }
        return "PyTorch "
                + version
                + " ("
                + (NATIVE_FLAVORS.isEmpty()
                        ? "native library from PYTORCH_LIBRARY_PATH"
                        : String.join(", ", NATIVE_FLAVORS) + " build")
                + ") without CUDA: models run on the CPU";
    }

    private static String computeCapability(int gpu) {
        try {
            String cc = CudaUtils.getComputeCapability(gpu); // "86"
            return cc.length() > 1
                    ? cc.substring(0, cc.length() - 1) + "." + cc.substring(cc.length() - 1)
                    : cc;
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * The flavors ({@code cpu}, {@code cu124}, ...) of the PyTorch native jars on the class path,
     * in class path order, from the {@code native/lib/pytorch.properties} each carries; empty when
     * there is none (a library given by {@code PYTORCH_LIBRARY_PATH}, say).
     */
    static List<String> nativeFlavors(ClassLoader loader) {
        List<String> flavors = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader.getResources("native/lib/pytorch.properties");
            for (URL url : Collections.list(urls)) {
                try (InputStream in = url.openStream()) {
                    Properties properties = new Properties();
                    properties.load(in);
                    String flavor = properties.getProperty("flavor", "").trim();
                    if (!flavor.isEmpty()) {
                        flavors.add(flavor);
                    }
                }
            }
        } catch (IOException e) {
            logger.debug("Cannot read the PyTorch native properties: {}", e.toString());
        }
        return List.copyOf(flavors);
    }

    /**
     * The device a name stands for.
     *
     * @throws InvalidInputException for an unknown name or a GPU that is not present
     */
    public static Device resolve(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        int gpus = gpuCount();
        if (n.isEmpty() || n.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        int index = -1;
        if (n.equals("cuda") || n.equals("gpu")) {
            index = 0;
        } else if (n.startsWith("cuda:") || n.startsWith("gpu:")) {
            try {
                index = Integer.parseInt(n.substring(n.indexOf(':') + 1));
            } catch (NumberFormatException e) {
                index = -1;
            }
        }
        if (index < 0) {
            throw new InvalidInputException(
                    "Unknown device '" + name + "' (use auto, cpu, cuda or cuda:N)");
        }
        if (index >= gpus && cpuBuild()) {
            throw new InvalidInputException(
                    "Device '"
                            + name
                            + "' is not available: this is the CPU build of PyTorch"
                            + " (docs/cuda.md tells how to build the CUDA one)");
        }
        if (gpus == 0) {
            throw new InvalidInputException(
                    "Device '"
                            + name
                            + "' is not available: PyTorch found no usable GPU"
                            + " (docs/cuda.md lists what the CUDA build needs)");
        }
        if (index >= gpus) {
            throw new InvalidInputException(
                    "Device '" + name + "' is not available: " + gpus + " GPU(s) present");
        }
        return Device.gpu(index);
    }

    /**
     * The canonical name of a device as apps see it in {@code AppContext}: {@code cpu} or {@code
     * cuda:N}.
     */
    public static String nameOf(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }
}
