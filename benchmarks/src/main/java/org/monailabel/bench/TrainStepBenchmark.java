package org.monailabel.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.train.DiceCeLoss;

/**
 * One training iteration of MONAI Label's spleen UNet on DJL: forward, Dice+CE loss, backward and
 * an Adam step, on random batches of 96^3 crops.
 *
 * <pre>benchmarks/run TrainStepBenchmark [iterations=10] [batch=4] [size=96]</pre>
 */
public final class TrainStepBenchmark {
    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 96;
        Devices.engine();
        List<Double> forward = new ArrayList<>();
        List<Double> backward = new ArrayList<>();
        List<Double> step = new ArrayList<>();
        try (Model model = Model.newInstance("spleen", Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(UNet.build(UNetConfig.spleen(1, 2)));
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(new DiceCeLoss())
                            .optOptimizer(
                                    Optimizer.adam()
                                            .optLearningRateTracker(Tracker.fixed(1e-4f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 1, size, size, size));
                for (int i = 0; i <= iterations; i++) {
                    try (NDManager scope = m.newSubManager()) {
                        NDArray x = scope.randomNormal(new Shape(batch, 1, size, size, size));
                        NDArray y =
                                scope.randomUniform(0, 2, new Shape(batch, 1, size, size, size))
                                        .floor();
                        long t0 = System.nanoTime();
                        long t1;
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray loss =
                                    trainer.getLoss()
                                            .evaluate(new NDList(y), new NDList(prediction));
                            loss.getFloat();
                            t1 = System.nanoTime();
                            collector.backward(loss);
                        }
                        long t2 = System.nanoTime();
                        trainer.step();
                        long t3 = System.nanoTime();
                        if (i > 0) {
                            forward.add((t1 - t0) / 1e9);
                            backward.add((t2 - t1) / 1e9);
                            step.add((t3 - t2) / 1e9);
                        }
                    }
                }
            }
        }
        double f = SegmentationBenchmark.median(forward);
        double b = SegmentationBenchmark.median(backward);
        double s = SegmentationBenchmark.median(step);
        System.out.printf(
                "spleen UNet, batch %d of %d^3, %d iterations after warm-up, %d cores, intra-op"
                        + " threads %s%n",
                batch,
                size,
                iterations,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.printf(
                "median forward+loss %.3f s, backward %.3f s, optimizer step %.3f s, iteration %.3f"
                        + " s%n",
                f, b, s, f + b + s);
    }
}
