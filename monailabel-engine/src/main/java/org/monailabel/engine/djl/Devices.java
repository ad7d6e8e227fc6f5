package org.monailabel.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
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

    private static final Optional<String> NATIVE_FLAVOR = nativeFlavor(Devices.class.getClassLoader());
    private static boolean announced;

    private Devices() {}

    /**
     * The PyTorch engine, started with {@code ai.djl.offline=true} unless the property was set
     * explicitly: the native library comes from the {@code pytorch-native-*} jar on the class
     * path, never from the network.
     */
    public static synchronized Engine engine() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (!announced) {
            announced = true;
            String flavor = NATIVE_FLAVOR.orElse("unknown");
            if (flavor.equals("cpu")) {
                logger.info("PyTorch {} (CPU build): models run on the CPU", engine.getVersion());
            } else {
                logger.info("PyTorch {} ({} build) with {} GPU(s)", engine.getVersion(), flavor, engine.getGpuCount());
            }
        }
        return engine;
    }

    /**
     * Number of GPUs the engine sees: none with the CPU build of PyTorch, which cannot use one
     * (and whose probe only logs a warning where a CUDA runtime but no driver is installed).
     */
    public static int gpuCount() {
        Engine engine = engine();
        return cpuBuild() ? 0 : engine.getGpuCount();
    }

    /** Whether the PyTorch native library on the class path is the CPU build (no GPU support). */
    public static boolean cpuBuild() {
        return NATIVE_FLAVOR.filter("cpu"::equals).isPresent();
    }

    /**
     * The flavor ({@code cpu}, {@code cu124}, ...) of the PyTorch native jar on the class path,
     * from the {@code native/lib/pytorch.properties} it carries; empty when there is none (a
     * library given by {@code PYTORCH_LIBRARY_PATH}, say).
     */
    static Optional<String> nativeFlavor(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties properties = new Properties();
            properties.load(in);
            return Optional.ofNullable(properties.getProperty("flavor")).map(String::trim).filter(f -> !f.isEmpty());
        } catch (IOException e) {
            logger.debug("Cannot read the PyTorch native properties: {}", e.toString());
            return Optional.empty();
        }
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
            throw new InvalidInputException("Unknown device '" + name + "' (use auto, cpu, cuda or cuda:N)");
        }
        if (index >= gpus) {
            throw new InvalidInputException("Device '" + name + "' is not available: " + gpus + " GPU(s) present");
        }
        return Device.gpu(index);
    }

    /** The canonical name of a device as apps see it in {@code AppContext}: {@code cpu} or {@code cuda:N}. */
    public static String nameOf(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }
}
