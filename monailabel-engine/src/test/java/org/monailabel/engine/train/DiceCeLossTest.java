package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

@Tag("engine")
class DiceCeLossTest {
    static {
        Devices.engine();
    }

    /** The loss against the formula computed by hand in doubles on a tiny batch. */
    @Test
    void matchesDiceOverTheBatchPlusMeanCrossEntropy() {
        int b = 2;
        int c = 3;
        int n = 4; // voxels per sample: a 1x2x2 volume
        Random random = new Random(1);
        float[] logits = new float[b * c * n];
        float[] labels = new float[b * n];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(c);
        }
        double[] inter = new double[c];
        double[] denom = new double[c];
        double ce = 0;
        for (int s = 0; s < b; s++) {
            for (int v = 0; v < n; v++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, logits[(s * c + k) * n + v]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(logits[(s * c + k) * n + v] - max);
                }
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(logits[(s * c + k) * n + v] - max) / sum;
                    double g = labels[s * n + v] == k ? 1 : 0;
                    inter[k] += p * g;
                    denom[k] += p * p + g * g;
                    if (g == 1) {
                        ce -= Math.log(p);
                    }
                }
            }
        }
        double dice = 0;
        for (int k = 0; k < c; k++) {
            dice += 1 - (2 * inter[k] + 1e-5) / (denom[k] + 1e-5);
        }
        double expected = dice / c + ce / (b * n);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray loss =
                    new DiceCeLoss()
                            .evaluate(
                                    new NDList(m.create(labels, new Shape(b, 1, 1, 2, 2))),
                                    new NDList(m.create(logits, new Shape(b, c, 1, 2, 2))));
            assertThat((double) loss.getFloat()).isCloseTo(expected, within(1e-5));
        }
    }

    /**
     * A small UNet learns a blob from scratch: the loss falls and the Dice of the prediction rises.
     */
    @Test
    void aSmallUnetLearnsABlob() {
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        2,
                        new int[] {8, 16, 32},
                        new int[] {2, 2},
                        1,
                        Norm.BATCH,
                        Activation.PRELU,
                        0);
        int size = 16;
        try (Model model = Model.newInstance("blob", Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            model.setBlock(UNet.build(cfg));
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(new DiceCeLoss())
                            .optOptimizer(
                                    Optimizer.adam()
                                            .optLearningRateTracker(Tracker.fixed(3e-3f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(2, 1, size, size, size));
                Random random = new Random(3);
                float firstLoss = 0;
                float lastLoss = 0;
                double firstDice = 0;
                double lastDice = 0;
                for (int step = 0; step < 150; step++) {
                    float[][] sample = blobs(random, 2, size);
                    try (NDManager scope = m.newSubManager()) {
                        NDArray x = scope.create(sample[0], new Shape(2, 1, size, size, size));
                        NDArray y = scope.create(sample[1], new Shape(2, 1, size, size, size));
                        float loss;
                        NDArray prediction;
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray l =
                                    trainer.getLoss()
                                            .evaluate(new NDList(y), new NDList(prediction));
                            collector.backward(l);
                            loss = l.getFloat();
                        }
                        trainer.step();
                        double dice =
                                dice(
                                        prediction
                                                .argMax(1)
                                                .toType(DataType.FLOAT32, false)
                                                .toFloatArray(),
                                        sample[1]);
                        if (step < 3) {
                            firstLoss += loss / 3;
                            firstDice += dice / 3;
                        }
                        if (step >= 147) {
                            lastLoss += loss / 3;
                            lastDice += dice / 3;
                        }
                    }
                }
                assertThat(lastLoss).as("loss").isLessThan(firstLoss * 0.7f);
                assertThat(lastDice)
                        .as("Dice %.3f -> %.3f", firstDice, lastDice)
                        .isGreaterThan(0.8)
                        .isGreaterThan(firstDice);
            }
        }
    }

    /** Bright noisy balls on a dark noisy background, and their masks. */
    static float[][] blobs(Random r, int batch, int size) {
        int n = size * size * size;
        float[] image = new float[batch * n];
        float[] mask = new float[batch * n];
        for (int s = 0; s < batch; s++) {
            double cx = 4 + r.nextDouble() * (size - 8);
            double cy = 4 + r.nextDouble() * (size - 8);
            double cz = 4 + r.nextDouble() * (size - 8);
            double radius = 2.5 + r.nextDouble() * 2;
            for (int x = 0, i = s * n; x < size; x++) {
                for (int y = 0; y < size; y++) {
                    for (int z = 0; z < size; z++, i++) {
                        boolean inside =
                                (x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz)
                                        < radius * radius;
                        mask[i] = inside ? 1 : 0;
                        image[i] = (float) ((inside ? 1 : -1) + 0.4 * r.nextGaussian());
                    }
                }
            }
        }
        return new float[][] {image, mask};
    }

    static double dice(float[] predicted, float[] truth) {
        double inter = 0;
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            inter += predicted[i] * truth[i];
            sum += predicted[i] + truth[i];
        }
        return sum == 0 ? 1 : 2 * inter / sum;
    }
}
