package org.monailabel.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * One thread's handle on a loaded model: runs a batch {@code (B, C, X, Y, Z)} through the network.
 * Not thread-safe; each worker thread owns one. Closing it frees the predictor, not the model.
 */
public interface Network extends AutoCloseable {
    /**
     * The network's output for a batch, attached to the input's manager.
     *
     * @param monteCarlo whether dropout stays active (Monte-Carlo dropout; only DJL networks)
     */
    NDArray forward(NDArray batch, boolean monteCarlo);

    @Override
    void close();
}
