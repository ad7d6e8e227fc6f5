package org.monailabel.engine.inferer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Blends the outputs of a sliding window's windows, added one at a time in the plan's order, into
 * one result: the averaged output ({@link WindowMerger}) or the label map of its argmax, with the
 * buffer on the heap ({@link ArgmaxMerger}) or on the network's device ({@link
 * DeviceArgmaxMerger}). The result covers the unpadded image. One per inference; not thread-safe.
 *
 * @param <R> what the merged windows become
 */
interface Merger<R> {
    /**
     * Called once per batch scope before that batch's windows are added (and once for the scope
     * {@link #result} runs in): a merger whose buffers live on the device lends them to the scope
     * so that what is computed from them is freed with it. Heap mergers need nothing.
     */
    default void attachTo(NDManager scope) {}

    /**
     * Adds one window's output.
     *
     * @param start the window's start in the padded image
     * @param window {@code (C, rx, ry, rz)}, an array of the current batch's scope
     */
    void add(int[] start, NDArray window);

    /** The result once every window was added. */
    R result();
}
