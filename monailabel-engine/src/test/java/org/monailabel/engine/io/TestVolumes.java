package org.monailabel.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/** Small deterministic volumes for codec tests. */
public final class TestVolumes {
    private TestVolumes() {}

    /**
     * An oblique affine: rotated 23 degrees about (0.3, -0.5, 0.8), spacings (0.9, 1.3, 2.2), the
     * first axis flipped, translated.
     */
    public static Affine oblique() {
        double[] axis = {0.3, -0.5, 0.8};
        double n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        double x = axis[0] / n;
        double y = axis[1] / n;
        double z = axis[2] / n;
        double t = Math.toRadians(23);
        double c = Math.cos(t);
        double s = Math.sin(t);
        double u = 1 - c;
        double[][] r = {
            {c + x * x * u, x * y * u - z * s, x * z * u + y * s},
            {y * x * u + z * s, c + y * y * u, y * z * u - x * s},
            {z * x * u - y * s, z * y * u + x * s, c + z * z * u}
        };
        double[] spacing = {-0.9, 1.3, 2.2};
        double[] m = new double[12];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * spacing[col];
            }
        }
        m[3] = 12.5;
        m[7] = -30.25;
        m[11] = 7.75;
        return Affine.of(m);
    }

    /** Random voxels of any type (integers over the type's full range), in the given byte order. */
    public static Volume random(
            VoxelType type, Affine affine, ByteOrder order, long seed, int... shape) {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        ByteBuffer data = ByteBuffer.allocate((int) count * type.bytes()).order(order);
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            switch (type) {
                case UINT8, INT8 -> data.put((byte) random.nextInt());
                case INT16, UINT16 -> data.putShort((short) random.nextInt());
                case INT32, UINT32 -> data.putInt(random.nextInt());
                case INT64 -> data.putLong(random.nextLong());
                case FLOAT32 -> data.putFloat((float) (random.nextGaussian() * 1000));
                case FLOAT64 -> data.putDouble(random.nextGaussian() * 1000);
                default -> throw new AssertionError(type);
            }
        }
        data.flip();
        return Volume.of(type, shape, data, affine, Map.of());
    }
}
