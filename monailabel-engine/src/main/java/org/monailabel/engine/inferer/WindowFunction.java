package org.monailabel.engine.inferer;

import ai.djl.ndarray.NDArray;

/** The network as the sliding window sees it: a batch of windows in, their outputs out. */
@FunctionalInterface
public interface WindowFunction {
    /**
     * @param batch {@code (B, C, rx, ry, rz)}
     * @return {@code (B, C', rx, ry, rz)}
     */
    NDArray apply(NDArray batch);
}
