package org.monailabel.engine.transform;

import java.util.Arrays;
import java.util.Objects;
import org.monailabel.api.image.Affine;

/**
 * A voxel grid in world space: a 3-D shape and its voxel-to-world affine (RAS mm).
 *
 * @param shape {@code (x, y, z)}, each at least 1
 * @param affine voxel-to-world, RAS mm
 */
public record Grid(int[] shape, Affine affine) {
    public Grid {
        Objects.requireNonNull(affine, "affine");
        if (shape.length != 3 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(
                    "A grid has 3 axes of at least 1 voxel: " + Arrays.toString(shape));
        }
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grid g && Arrays.equals(shape, g.shape) && affine.equals(g.affine);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + affine.hashCode();
    }

    @Override
    public String toString() {
        return "Grid" + Arrays.toString(shape) + " " + affine;
    }
}
