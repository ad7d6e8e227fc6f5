package org.monailabel.engine.nets;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Dropout that also works at inference time when asked: active while training, and when the forward
 * call's parameters contain {@link #MC_DROPOUT} = {@code true} (Monte-Carlo dropout for
 * uncertainty), while batch normalisation stays in eval mode.
 */
public final class McDropout extends AbstractBlock {
    /** The forward parameter that switches dropout on at inference. */
    public static final String MC_DROPOUT = "mc_dropout";

    private final float rate;

    McDropout(float rate) {
        this.rate = rate;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        boolean active =
                training || (params != null && Boolean.TRUE.equals(params.get(MC_DROPOUT)));
        if (!active || rate == 0) {
            return inputs;
        }
        return Dropout.dropout(inputs.singletonOrThrow(), rate, true);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
