package org.monailabel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * MONAI's {@code DiceCELoss(to_onehot_y=True, softmax=True, squared_pred=True, batch=True)}, the
 * loss of MONAI Label's segmentation trainers: soft Dice over the whole batch per channel
 * (background included), averaged over channels, plus the mean cross-entropy.
 *
 * <p>Predictions are logits {@code (B, C, X, Y, Z)}; labels are class indices {@code (B, 1, X, Y,
 * Z)} (any numeric type).
 */
public final class DiceCeLoss extends Loss {
    private static final float SMOOTH = 1e-5f;

    public DiceCeLoss() {
        super("DiceCELoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();
        int channels = (int) logits.getShape().get(1);
        NDArray target = oneHot(labels.singletonOrThrow(), channels);
        NDArray probabilities = logits.softmax(1);
        // (C, everything else): Dice over the batch and all voxels, per channel
        NDArray p = channelsFirst(probabilities, channels);
        NDArray g = channelsFirst(target, channels);
        NDArray intersection = p.mul(g).sum(new int[] {1});
        NDArray denominator = p.square().sum(new int[] {1}).add(g.square().sum(new int[] {1}));
        NDArray dice =
                intersection.mul(2).add(SMOOTH).div(denominator.add(SMOOTH)).neg().add(1).mean();
        long voxels = logits.getShape().size() / channels;
        NDArray crossEntropy = target.mul(logits.logSoftmax(1)).sum().neg().div(voxels);
        return dice.add(crossEntropy);
    }

    /** {@code (B, 1, X, Y, Z)} class indices as a one-hot {@code (B, C, X, Y, Z)} float array. */
    static NDArray oneHot(NDArray labels, int channels) {
        NDArray indices = labels.squeeze(1).toType(DataType.INT64, false);
        NDArray hot = indices.oneHot(channels, DataType.FLOAT32); // (B, X, Y, Z, C)
        return hot.transpose(0, 4, 1, 2, 3);
    }

    private static NDArray channelsFirst(NDArray a, int channels) {
        return a.transpose(1, 0, 2, 3, 4).reshape(channels, -1);
    }
}
