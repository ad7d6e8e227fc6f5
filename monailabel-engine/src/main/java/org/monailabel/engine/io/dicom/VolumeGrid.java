package org.monailabel.engine.io.dicom;

import java.util.Arrays;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;

/**
 * The voxel grid of a 3-D {@link Volume}: its shape ({@code columns} along x, {@code rows} along y,
 * {@code slices} along z) and its voxel-to-world affine (RAS mm). Immutable.
 */
public record VolumeGrid(int columns, int rows, int slices, Affine affine) {
    /** Two grids match when no corner voxel centre moves by more than this fraction of a voxel. */
    public static final double TOLERANCE = 0.01;

    public VolumeGrid {
        Objects.requireNonNull(affine, "affine");
        if (columns < 1 || rows < 1 || slices < 1) {
            throw new IllegalArgumentException(
                    "A grid needs at least one voxel along each axis: "
                            + columns
                            + "x"
                            + rows
                            + "x"
                            + slices);
        }
        if (!affine.isInvertible()) {
            throw new IllegalArgumentException("A grid's affine must be invertible: " + affine);
        }
    }

    /**
     * The grid of a volume.
     *
     * @throws IllegalArgumentException for a volume with a fourth axis of more than one channel
     */
    public static VolumeGrid of(Volume volume) {
        if (volume.channels() != 1) {
            throw new IllegalArgumentException(
                    "A grid is 3-D; the volume has shape " + Arrays.toString(volume.shape()));
        }
        return new VolumeGrid(volume.sizeX(), volume.sizeY(), volume.sizeZ(), volume.affine());
    }

    /** {@code (columns, rows, slices)}. */
    public int[] shape() {
        return new int[] {columns, rows, slices};
    }

    /**
     * The largest distance (mm) between where the two grids put one of the eight corner voxels;
     * infinite if the shapes differ.
     */
    public double cornerDistance(VolumeGrid other) {
        if (columns != other.columns || rows != other.rows || slices != other.slices) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int c = 0; c < 8; c++) {
            double i = (c & 1) == 0 ? 0 : columns - 1;
            double j = (c & 2) == 0 ? 0 : rows - 1;
            double k = (c & 4) == 0 ? 0 : slices - 1;
            double[] a = affine.apply(i, j, k);
            double[] b = other.affine.apply(i, j, k);
            double dx = a[0] - b[0];
            double dy = a[1] - b[1];
            double dz = a[2] - b[2];
            max = Math.max(max, Math.sqrt(dx * dx + dy * dy + dz * dz));
        }
        // the step to the next voxel must agree too (a one-slice grid has one corner per column)
        double[] s0 = affine.apply(1, 1, 1);
        double[] s1 = other.affine.apply(1, 1, 1);
        for (int a = 0; a < 3; a++) {
            max = Math.max(max, Math.abs(s0[a] - s1[a]));
        }
        return max;
    }

    /**
     * Whether the other grid has this shape and puts every corner voxel within {@link #TOLERANCE}
     * of this grid's smallest voxel spacing (text-encoded and single-precision affines differ a
     * little).
     */
    public boolean matches(VolumeGrid other) {
        double[] s = affine.spacing();
        double min = Math.min(s[0], Math.min(s[1], s[2]));
        return cornerDistance(other) <= TOLERANCE * min;
    }

    @Override
    public String toString() {
        return columns + "x" + rows + "x" + slices + " " + affine;
    }
}
