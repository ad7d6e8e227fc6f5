package org.monailabel.engine.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Child-JVM entry point of {@link OfflineEngineTest}: starts PyTorch and runs one operation. */
public final class OfflineEngineCheck {
    private OfflineEngineCheck() {}

    public static void main(String[] args) {
        Engine engine = Devices.engine();
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve("auto"))) {
            NDArray a = manager.arange(6f).reshape(2, 3);
            float sum = a.sum().getFloat();
            System.out.println(
                    "engine="
                            + engine.getEngineName()
                            + " version="
                            + engine.getVersion()
                            + " sum="
                            + sum
                            + " offline="
                            + System.getProperty(Devices.OFFLINE_PROPERTY));
        }
    }
}
