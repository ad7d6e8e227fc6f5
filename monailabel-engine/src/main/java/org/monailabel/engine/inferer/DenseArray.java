package org.monailabel.engine.inferer;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * A float array with a shape in C order (last index fastest), the layout of PyTorch tensors: {@code
 * (C, X, Y, Z)} for one image, where X is the volume's first (fastest in file order) axis.
 *
 * @param shape the sizes, slowest first
 * @param data the values; its length is the product of the shape
 */
public record DenseArray(int[] shape, float[] data) {
    public DenseArray {
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("Bad shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "Shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + n
                            + " values, got "
                            + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /**
     * A volume {@code (X, Y, Z[, C])} in file order as {@code (C, X, Y, Z)} in C order, as float
     * values (the layout MONAI models expect).
     */
    public static DenseArray fromVolume(Volume v) {
        int nx = v.sizeX();
        int ny = v.sizeY();
        int nz = v.sizeZ();
        int c = v.channels();
        float[] src = v.toFloatArray();
        float[] out = new float[src.length];
        int o = 0;
        for (int ch = 0; ch < c; ch++) {
            int base = ch * nx * ny * nz;
            for (int x = 0; x < nx; x++) {
                for (int y = 0; y < ny; y++) {
                    for (int z = 0; z < nz; z++) {
                        out[o++] = src[base + x + nx * (y + ny * z)];
                    }
                }
            }
        }
        return new DenseArray(new int[] {c, nx, ny, nz}, out);
    }

    /**
     * This {@code (C, X, Y, Z)} array as a float32 volume in file order with the given affine; the
     * channels become the fourth axis when there is more than one.
     */
    public Volume toVolume(Affine affine) {
        if (shape.length != 4) {
            throw new IllegalStateException("Expected (C, X, Y, Z), got " + Arrays.toString(shape));
        }
        int c = shape[0];
        int nx = shape[1];
        int ny = shape[2];
        int nz = shape[3];
        int[] volumeShape = c == 1 ? new int[] {nx, ny, nz} : new int[] {nx, ny, nz, c};
        Volume v = Volume.allocate(VoxelType.FLOAT32, affine, volumeShape);
        FloatBuffer dst = v.data().asFloatBuffer();
        int i = 0;
        for (int ch = 0; ch < c; ch++) {
            int base = ch * nx * ny * nz;
            for (int x = 0; x < nx; x++) {
                for (int y = 0; y < ny; y++) {
                    for (int z = 0; z < nz; z++) {
                        dst.put(base + x + nx * (y + ny * z), data[i++]);
                    }
                }
            }
        }
        return v;
    }

    /** The size of axis {@code i}. */
    public int size(int i) {
        return shape[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseArray a
                && Arrays.equals(shape, a.shape)
                && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "DenseArray" + Arrays.toString(shape);
    }
}
