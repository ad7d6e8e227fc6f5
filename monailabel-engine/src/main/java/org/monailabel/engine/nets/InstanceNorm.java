package org.monailabel.engine.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Instance normalisation without affine parameters, as MONAI's default {@code InstanceNorm3d}: each
 * sample's channel is normalised by its own spatial mean and (biased) variance, in training and
 * inference alike.
 */
final class InstanceNorm extends AbstractBlock {
    private static final float EPSILON = 1e-5f;

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray flat = x.reshape(shape.get(0), shape.get(1), -1); // (N, C, voxels)
        NDArray mean = flat.mean(new int[] {2}, true);
        NDArray centred = flat.sub(mean);
        NDArray variance = centred.square().mean(new int[] {2}, true);
        return new NDList(centred.div(variance.add(EPSILON).sqrt()).reshape(shape));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
