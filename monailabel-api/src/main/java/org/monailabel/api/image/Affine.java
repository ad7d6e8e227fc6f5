package org.monailabel.api.image;

import java.util.Arrays;

/**
 * An immutable 4x4 voxel-to-world transform in RAS millimetres: {@code world = A * (i, j, k, 1)}
 * where {@code i} indexes the fastest axis of a {@link Volume}. The bottom row is always {@code 0 0
 * 0 1}. Thread-safe.
 *
 * <p>DICOM and NRRD files describe geometry in LPS; converting between the two flips the sign of
 * the first two rows ({@link #flipXY()}).
 *
 * <pre>{@code
 * Affine a = Affine.diagonal(0.8, 0.8, 2.5).withTranslation(-200, -180, 40);
 * double[] world = a.apply(10, 20, 3);
 * }</pre>
 */
public final class Affine {
    private static final Affine IDENTITY = diagonal(1, 1, 1);

    private final double[] m; // row-major 4x4

    private Affine(double[] rowMajor) {
        this.m = rowMajor;
    }

    /**
     * An affine from 16 row-major values (the bottom row must be {@code 0 0 0 1}) or 12 (the first
     * three rows).
     *
     * @throws IllegalArgumentException if the values are not finite or the bottom row is wrong
     */
    public static Affine of(double... rowMajor) {
        double[] v;
        if (rowMajor.length == 12) {
            v = Arrays.copyOf(rowMajor, 16);
            v[15] = 1;
        } else if (rowMajor.length == 16) {
            v = rowMajor.clone();
        } else {
            throw new IllegalArgumentException(
                    "An affine needs 12 or 16 values, got " + rowMajor.length);
        }
        for (double d : v) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(
                        "Affine has a non-finite value: " + Arrays.toString(v));
            }
        }
        if (v[12] != 0 || v[13] != 0 || v[14] != 0 || v[15] != 1) {
            throw new IllegalArgumentException(
                    "Affine bottom row must be 0 0 0 1: " + Arrays.toString(v));
        }
        return new Affine(v);
    }

    /** An affine from a 4x4 (or 3x4) array of rows. */
    public static Affine of(double[][] rows) {
        double[] v = new double[16];
        for (int r = 0; r < rows.length && r < 4; r++) {
            if (rows[r].length != 4) {
                throw new IllegalArgumentException("Affine rows need 4 values");
            }
            System.arraycopy(rows[r], 0, v, r * 4, 4);
        }
        if (rows.length == 3) {
            v[15] = 1;
        } else if (rows.length != 4) {
            throw new IllegalArgumentException("An affine needs 3 or 4 rows, got " + rows.length);
        }
        return of(v);
    }

    /** The identity: 1 mm voxels at the origin, axes along R, A and S. */
    public static Affine identity() {
        return IDENTITY;
    }

    /** Scaling by the given spacings (mm) along R, A and S. */
    public static Affine diagonal(double sx, double sy, double sz) {
        return of(sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1);
    }

    /** The value at row {@code r}, column {@code c} (both 0-based). */
    public double get(int r, int c) {
        return m[r * 4 + c];
    }

    /** The 16 row-major values (a copy). */
    public double[] toArray() {
        return m.clone();
    }

    /** The 4 rows (a copy). */
    public double[][] toRows() {
        double[][] rows = new double[4][4];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(m, r * 4, rows[r], 0, 4);
        }
        return rows;
    }

    /** The world position (mm, RAS) of a voxel position, which may be fractional. */
    public double[] apply(double i, double j, double k) {
        return new double[] {
            m[0] * i + m[1] * j + m[2] * k + m[3],
            m[4] * i + m[5] * j + m[6] * k + m[7],
            m[8] * i + m[9] * j + m[10] * k + m[11]
        };
    }

    /** The translation column: the world position of voxel (0, 0, 0). */
    public double[] origin() {
        return new double[] {m[3], m[7], m[11]};
    }

    /** This affine with its translation column replaced. */
    public Affine withTranslation(double x, double y, double z) {
        double[] v = m.clone();
        v[3] = x;
        v[7] = y;
        v[11] = z;
        return new Affine(v);
    }

    /** Voxel spacing in mm: the length of each of the first three columns. */
    public double[] spacing() {
        double[] s = new double[3];
        for (int c = 0; c < 3; c++) {
            s[c] = Math.sqrt(m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
        }
        return s;
    }

    /** The product {@code this * other}: first apply {@code other}, then this. */
    public Affine multiply(Affine other) {
        double[] o = other.m;
        double[] r = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                for (int k = 0; k < 4; k++) {
                    sum += m[i * 4 + k] * o[k * 4 + j];
                }
                r[i * 4 + j] = sum;
            }
        }
        r[12] = 0;
        r[13] = 0;
        r[14] = 0;
        r[15] = 1;
        return new Affine(r);
    }

    /** The determinant of the upper-left 3x3 block; negative for a left-handed voxel grid. */
    public double determinant() {
        return m[0] * (m[5] * m[10] - m[6] * m[9])
                - m[1] * (m[4] * m[10] - m[6] * m[8])
                + m[2] * (m[4] * m[9] - m[5] * m[8]);
    }

    /**
     * The inverse (world to voxel).
     *
     * @throws IllegalStateException if the affine is singular
     */
    public Affine inverse() {
        double det = determinant();
        double scale =
                Math.max(1e-300, Math.pow(Math.abs(m[0]) + Math.abs(m[5]) + Math.abs(m[10]), 3));
        if (det == 0 || Math.abs(det) < 1e-12 * scale) {
            throw new IllegalStateException("Affine is singular: " + this);
        }
        double[] r = new double[16];
        r[0] = (m[5] * m[10] - m[6] * m[9]) / det;
        r[1] = (m[2] * m[9] - m[1] * m[10]) / det;
        r[2] = (m[1] * m[6] - m[2] * m[5]) / det;
        r[4] = (m[6] * m[8] - m[4] * m[10]) / det;
        r[5] = (m[0] * m[10] - m[2] * m[8]) / det;
        r[6] = (m[2] * m[4] - m[0] * m[6]) / det;
        r[8] = (m[4] * m[9] - m[5] * m[8]) / det;
        r[9] = (m[1] * m[8] - m[0] * m[9]) / det;
        r[10] = (m[0] * m[5] - m[1] * m[4]) / det;
        for (int i = 0; i < 3; i++) {
            r[i * 4 + 3] = -(r[i * 4] * m[3] + r[i * 4 + 1] * m[7] + r[i * 4 + 2] * m[11]);
        }
        r[15] = 1;
        return new Affine(r);
    }

    /** Whether the upper-left 3x3 block can be inverted. */
    public boolean isInvertible() {
        try {
            inverse();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * The same transform with world x and y negated: RAS to LPS or back. Apply it when reading or
     * writing a format whose world space is LPS (DICOM, most NRRD).
     */
    public Affine flipXY() {
        double[] v = m.clone();
        for (int c = 0; c < 4; c++) {
            v[c] = -v[c];
            v[4 + c] = -v[4 + c];
        }
        return new Affine(v);
    }

    /** Whether every value differs from {@code other}'s by at most {@code tolerance}. */
    public boolean approximatelyEquals(Affine other, double tolerance) {
        for (int i = 0; i < 16; i++) {
            if (Math.abs(m[i] - other.m[i]) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Affine a && Arrays.equals(m, a.m);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Affine[");
        for (int r = 0; r < 3; r++) {
            sb.append(r == 0 ? "" : "; ");
            for (int c = 0; c < 4; c++) {
                sb.append(c == 0 ? "" : " ").append(m[r * 4 + c]);
            }
        }
        return sb.append(']').toString();
    }
}
