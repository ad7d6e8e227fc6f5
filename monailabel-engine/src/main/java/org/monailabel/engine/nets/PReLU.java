package org.monailabel.engine.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/** PReLU with a single learned slope initialised to 0.25, as {@code torch.nn.PReLU()}. */
final class PReLU extends AbstractBlock {
    private final Parameter alpha;

    PReLU() {
        alpha =
                addParameter(
                        Parameter.builder()
                                .setName("alpha")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(1))
                                .optInitializer(new ConstantInitializer(0.25f))
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = store.getValue(alpha, x.getDevice(), training);
        return new NDList(x.maximum(0).add(x.minimum(0).mul(a)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
