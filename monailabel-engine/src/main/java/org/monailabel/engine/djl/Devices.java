package org.monailabel.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
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

    private Devices() {}

    /**
     * The PyTorch engine, started with {@code ai.djl.offline=true} unless the property was set
     * explicitly: the native library comes from the {@code pytorch-native-cpu} jar on the class
     * path, never from the network.
     */
    public static synchronized Engine engine() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        logger.debug("DJL engine {} {} with {} GPU(s)", engine.getEngineName(), engine.getVersion(), engine.getGpuCount());
        return engine;
    }

    /** Number of GPUs the engine sees. */
    public static int gpuCount() {
        return engine().getGpuCount();
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
