package org.monailabel.engine.inferer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float array with a shape in C order (last index fastest), the layout of PyTorch tensors:
 * {@code (C, X, Y, Z)} for one image, where X is the volume's first (fastest in file order) axis.
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
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The size of axis {@code i}. */
    public int size(int i) {
        return shape[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
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
