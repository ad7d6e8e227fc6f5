package org.monailabel.engine.transform;

import java.util.Arrays;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;

/**
 * Resampling to a target voxel spacing, producing the same output grid as MONAI's {@code Spacing}
 * with {@code diagonal=False} (the direction, even an oblique one, is kept and only the zooms
 * change; shears are dropped) and {@code scale_extent=False}. Immutable and thread-safe.
 *
 * <p>The output grid: direction {@code R} from {@code A = R U} (Cholesky, {@code U} upper
 * triangular), zooms {@code sign(U_ii) * pixdim_i}; the shape spans the input's corner voxel
 * centres, {@code round(extent / pixdim + 1)}; the origin is the input corner that is the minimum
 * along every output axis if there is one, otherwise the grids' centres (taken as {@code shape /
 * 2}) are aligned, as MONAI does.
 */
public final class Spacing {
    private static final double CORNER_TOLERANCE = 1e-8;

    private final double[] pixdim;

    /** Target spacing in mm per voxel axis; a value of 0 or less keeps that axis' spacing. */
    public Spacing(double... pixdim) {
        if (pixdim.length != 3) {
            throw new IllegalArgumentException("Spacing needs 3 values, got " + pixdim.length);
        }
        for (double p : pixdim) {
            if (!Double.isFinite(p)) {
                throw new IllegalArgumentException(
                        "Spacing must be finite: " + Arrays.toString(pixdim));
            }
        }
        this.pixdim = pixdim.clone();
    }

    /** The output grid for an input grid. */
    public Grid plan(int[] shape, Affine affine) {
        double[][] a = Matrix3.linear(affine);
        double[][] u = Matrix3.choleskyUpper(Matrix3.multiply(Matrix3.transpose(a), a));
        double[][] rotation = Matrix3.multiply(a, Matrix3.inverse(u));
        double[] spacing = affine.spacing();
        double[][] b = new double[3][3];
        for (int c = 0; c < 3; c++) {
            double target = pixdim[c] > 0 ? pixdim[c] : (spacing[c] == 0 ? 1 : spacing[c]);
            double zoom = Math.signum(u[c][c]) * target;
            for (int r = 0; r < 3; r++) {
                b[r][c] = rotation[r][c] * zoom;
            }
        }
        double[][] bInverse = Matrix3.inverse(b);
        double[][] cornersWorld = new double[8][];
        double[][] cornersOut = new double[8][];
        for (int n = 0; n < 8; n++) {
            double[] w =
                    affine.apply(
                            (n & 1) == 0 ? 0 : shape[0] - 1,
                            (n & 2) == 0 ? 0 : shape[1] - 1,
                            (n & 4) == 0 ? 0 : shape[2] - 1);
            cornersWorld[n] = w;
            cornersOut[n] = Matrix3.apply(bInverse, w); // the output affine has no translation yet
        }
        int[] outShape = new int[3];
        for (int axis = 0; axis < 3; axis++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] c : cornersOut) {
                min = Math.min(min, c[axis]);
                max = Math.max(max, c[axis]);
            }
            outShape[axis] =
                    (int) Math.max(1, Math.rint(max - min + 1)); // numpy rounds half to even
        }
        double[] offset = minimumCorner(cornersWorld, cornersOut);
        if (offset == null) {
            double[] inCentre = affine.apply(shape[0] / 2.0, shape[1] / 2.0, shape[2] / 2.0);
            double[] outCentre =
                    Matrix3.apply(
                            b,
                            new double[] {outShape[0] / 2.0, outShape[1] / 2.0, outShape[2] / 2.0});
            offset =
                    new double[] {
                        inCentre[0] - outCentre[0],
                        inCentre[1] - outCentre[1],
                        inCentre[2] - outCentre[2]
                    };
        }
        Affine out =
                Affine.of(
                        b[0][0], b[0][1], b[0][2], offset[0], b[1][0], b[1][1], b[1][2], offset[1],
                        b[2][0], b[2][1], b[2][2], offset[2]);
        return new Grid(outShape, out);
    }

    /** The world position of the input corner that is smallest along every output axis, if any. */
    private static double[] minimumCorner(double[][] world, double[][] out) {
        for (int i = 0; i < out.length; i++) {
            boolean smallest = true;
            for (int axis = 0; axis < 3 && smallest; axis++) {
                double min = Double.POSITIVE_INFINITY;
                for (double[] c : out) {
                    min = Math.min(min, c[axis] - out[i][axis]);
                }
                smallest = Math.abs(min) <= CORNER_TOLERANCE;
            }
            if (smallest) {
                return world[i];
            }
        }
        return null;
    }

    /** The volume resampled onto {@link #plan}'s grid, as float32. */
    public Volume apply(Volume volume, Interpolation mode) {
        Grid grid = plan(volume.shape(), volume.affine());
        return Resample.resample(volume, grid, mode);
    }

    @Override
    public String toString() {
        return "Spacing" + Arrays.toString(pixdim);
    }
}
