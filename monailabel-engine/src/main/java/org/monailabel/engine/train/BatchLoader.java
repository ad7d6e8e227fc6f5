package org.monailabel.engine.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.TrainingPair;
import org.monailabel.engine.model.ModelCard;

/**
 * Prepares training batches on its own thread while the network trains: per epoch, {@code
 * samplesPerImage} crops of every training image (centred on foreground or background with equal
 * odds), taken from the bounded {@link PreparedCache}, flipped, rotated and intensity-jittered,
 * shuffled and grouped into batches, all from one seeded generator, so a run repeats exactly. A
 * bounded queue keeps at most a few batches ahead. Closing stops the thread.
 */
final class BatchLoader implements AutoCloseable {
    /**
     * The random augmentation: flip probability per axis, in-plane 90-degree rotations, intensity
     * shift and scale (fractions of the windowed range).
     */
    record Augmentation(double flipProb, boolean rotate90, double shift, double scale) {}

    /** Images and labels of one batch, {@code (B, 1, X, Y, Z)} in C order. */
    record Batch(float[] images, float[] labels) {}

    private static final Batch END = new Batch(new float[0], new float[0]);

    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(3);
    private final Thread thread;
    private final int perEpoch;
    private volatile Throwable failure;
    private long waitNanos;

    BatchLoader(
            List<TrainingPair> train,
            PreparedCache cache,
            ModelCard card,
            int[] size,
            int batch,
            int samplesPerImage,
            Augmentation augmentation,
            long seed) {
        this.perEpoch = Math.max(1, (train.size() * samplesPerImage + batch - 1) / batch);
        this.thread =
                new Thread(
                        () ->
                                produce(
                                        train,
                                        cache,
                                        card,
                                        size,
                                        batch,
                                        samplesPerImage,
                                        augmentation,
                                        new Random(seed)),
                        "train-loader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Batches in one epoch. */
    int batchesPerEpoch() {
        return perEpoch;
    }

    /** The next batch, waiting for the loader if it is behind. */
    Batch next() throws InterruptedException {
        long t = System.nanoTime();
        Batch b;
        while ((b = queue.poll(100, TimeUnit.MILLISECONDS)) == null) {
            if (failure != null) {
                throw new IllegalStateException("Batch loader failed: " + failure, failure);
            }
        }
        waitNanos += System.nanoTime() - t;
        if (b == END) {
            throw new IllegalStateException("Batch loader failed: " + failure, failure);
        }
        return b;
    }

    /** Seconds the training loop spent waiting for batches so far. */
    double waitSeconds() {
        return waitNanos / 1e9;
    }

    private void produce(
            List<TrainingPair> train,
            PreparedCache cache,
            ModelCard card,
            int[] size,
            int batch,
            int samplesPerImage,
            Augmentation a,
            Random random) {
        int voxels = size[0] * size[1] * size[2];
        // Patches wait in a small shuffle pool, so an epoch never holds all its crops at once
        // (100 studies x 4 crops of 96^3 would be 2.8 GB) and batches still mix studies.
        int poolSize = Math.max(2 * batch, 2 * samplesPerImage);
        List<Augment.Patch> pool = new ArrayList<>();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<TrainingPair> order = new ArrayList<>(train);
                Collections.shuffle(order, random);
                int next = 0;
                for (int i = 0; i < perEpoch; i++) {
                    float[] images = new float[batch * voxels];
                    float[] labels = new float[batch * voxels];
                    for (int b = 0; b < batch; b++) {
                        while (pool.size() < poolSize) {
                            TrainingPair pair = order.get(next++ % order.size());
                            TrainingData.Sample s = cache.get(pair, card);
                            for (Augment.Patch p :
                                    Augment.cropByPosNeg(
                                            s.image(),
                                            s.label(),
                                            s.shape(),
                                            size,
                                            1,
                                            1,
                                            samplesPerImage,
                                            random)) {
                                Augment.Patch moved =
                                        Augment.flipAndRotate(
                                                p, a.flipProb(), a.rotate90(), random);
                                pool.add(
                                        Augment.shiftAndScale(moved, a.shift(), a.scale(), random));
                            }
                        }
                        Augment.Patch p = pool.remove(random.nextInt(pool.size()));
                        System.arraycopy(p.image(), 0, images, b * voxels, voxels);
                        System.arraycopy(p.label(), 0, labels, b * voxels, voxels);
                    }
                    queue.put(new Batch(images, labels));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            queue.offer(END);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
