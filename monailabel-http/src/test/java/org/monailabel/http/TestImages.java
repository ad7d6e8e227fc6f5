package org.monailabel.http;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;

/**
 * Tiny synthetic CTs (a few KB): a bright box (about 200) on a dark noisy background (about 20),
 * with the box as ground truth. Non-cubic, with a non-trivial affine.
 */
final class TestImages {
    static final int[] SHAPE = {20, 16, 10};

    private TestImages() {}

    /** The image with the box at an offset chosen by {@code seed}. */
    static Volume image(long seed) {
        Random random = new Random(seed);
        Volume v = Volume.allocate(VoxelType.INT16, affine(), SHAPE);
        int ox = 2 + (int) (seed % 5);
        for (int z = 0; z < SHAPE[2]; z++) {
            for (int y = 0; y < SHAPE[1]; y++) {
                for (int x = 0; x < SHAPE[0]; x++) {
                    double base = inBox(x, y, z, ox) ? 200 : 20;
                    v.set(v.index(x, y, z), Math.round(base + random.nextGaussian() * 10));
                }
            }
        }
        return v;
    }

    /** The ground truth of {@link #image}. */
    static Volume truth(long seed) {
        Volume v = Volume.allocate(VoxelType.UINT8, affine(), SHAPE);
        int ox = 2 + (int) (seed % 5);
        for (int z = 0; z < SHAPE[2]; z++) {
            for (int y = 0; y < SHAPE[1]; y++) {
                for (int x = 0; x < SHAPE[0]; x++) {
                    v.set(v.index(x, y, z), inBox(x, y, z, ox) ? 1 : 0);
                }
            }
        }
        return v;
    }

    private static boolean inBox(int x, int y, int z, int ox) {
        return x >= ox && x < ox + 8 && y >= 4 && y < 11 && z >= 2 && z < 7;
    }

    static Affine affine() {
        return Affine.of(-0.8, 0, 0, 10, 0, -0.8, 0, 20, 0, 0, 2.5, -30, 0, 0, 0, 1);
    }

    static Path write(Volume v, Path file) throws IOException {
        ImageIo.write(v, file, WriteOptions.defaults().withThreads(1));
        return file;
    }

    /** Dice of two label maps (value > 0 is foreground). */
    static double dice(Volume a, Volume b) {
        long both = 0;
        long sum = 0;
        for (long i = 0; i < a.voxelCount(); i++) {
            boolean x = a.get(i) > 0;
            boolean y = b.get(i) > 0;
            both += x && y ? 1 : 0;
            sum += (x ? 1 : 0) + (y ? 1 : 0);
        }
        return sum == 0 ? 1 : 2.0 * both / sum;
    }
}
