package org.monailabel.engine.io.nifti;

import org.monailabel.api.image.Affine;

/**
 * qform parameters for an affine, as nibabel's {@code set_qform} computes them: column lengths are
 * the spacings, a negative determinant sets qfac = -1 and flips the third column, and the nearest
 * rotation (orthogonal polar factor) becomes a quaternion with a non-negative real part.
 *
 * @param quatern {@code (b, c, d)}
 * @param offset translation {@code (x, y, z)}
 * @param zooms spacings (column lengths)
 * @param qfac 1 or -1
 */
record NiftiQform(double[] quatern, double[] offset, double[] zooms, double qfac) {

    /**
     * @throws IllegalArgumentException if the affine is singular
     */
    static NiftiQform of(Affine affine) {
        if (!affine.isInvertible()) {
            throw new IllegalArgumentException("Cannot write a singular affine: " + affine);
        }
        double[] r = new double[9];
        double[] zooms = new double[3];
        for (int col = 0; col < 3; col++) {
            double a = affine.get(0, col);
            double b = affine.get(1, col);
            double c = affine.get(2, col);
            zooms[col] = Math.sqrt(a * a + b * b + c * c);
            for (int row = 0; row < 3; row++) {
                r[row * 3 + col] = affine.get(row, col) / zooms[col];
            }
        }
        double qfac = 1;
        if (det(r) < 0) {
            qfac = -1;
            for (int row = 0; row < 3; row++) {
                r[row * 3 + 2] = -r[row * 3 + 2];
            }
        }
        double[] q = toQuaternion(nearestRotation(r));
        return new NiftiQform(new double[] {q[1], q[2], q[3]}, affine.origin(), zooms, qfac);
    }

    /** Orthogonal polar factor by Newton's iteration {@code X <- (X + X^-T) / 2}. */
    static double[] nearestRotation(double[] m) {
        double[] x = m.clone();
        for (int iter = 0; iter < 100; iter++) {
            double[] inv = inverseTranspose(x);
            double change = 0;
            for (int i = 0; i < 9; i++) {
                double next = 0.5 * (x[i] + inv[i]);
                change = Math.max(change, Math.abs(next - x[i]));
                x[i] = next;
            }
            if (change < 1e-15) {
                break;
            }
        }
        return x;
    }

    private static double det(double[] m) {
        return m[0] * (m[4] * m[8] - m[5] * m[7])
                - m[1] * (m[3] * m[8] - m[5] * m[6])
                + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }

    private static double[] inverseTranspose(double[] m) {
        double d = det(m);
        // cofactor matrix / det = inverse transposed
        return new double[] {
            (m[4] * m[8] - m[5] * m[7]) / d, (m[5] * m[6] - m[3] * m[8]) / d,
                    (m[3] * m[7] - m[4] * m[6]) / d,
            (m[2] * m[7] - m[1] * m[8]) / d, (m[0] * m[8] - m[2] * m[6]) / d,
                    (m[1] * m[6] - m[0] * m[7]) / d,
            (m[1] * m[5] - m[2] * m[4]) / d, (m[2] * m[3] - m[0] * m[5]) / d,
                    (m[0] * m[4] - m[1] * m[3]) / d
        };
    }

    /**
     * Unit quaternion {@code (w, x, y, z)} with {@code w >= 0} of a rotation (Shepperd's method).
     */
    static double[] toQuaternion(double[] r) {
        double trace = r[0] + r[4] + r[8];
        double w;
        double x;
        double y;
        double z;
        if (trace > 0) {
            double s = 0.5 / Math.sqrt(trace + 1);
            w = 0.25 / s;
            x = (r[7] - r[5]) * s;
            y = (r[2] - r[6]) * s;
            z = (r[3] - r[1]) * s;
        } else if (r[0] > r[4] && r[0] > r[8]) {
            double s = 2 * Math.sqrt(1 + r[0] - r[4] - r[8]);
            w = (r[7] - r[5]) / s;
            x = 0.25 * s;
            y = (r[1] + r[3]) / s;
            z = (r[2] + r[6]) / s;
        } else if (r[4] > r[8]) {
            double s = 2 * Math.sqrt(1 + r[4] - r[0] - r[8]);
            w = (r[2] - r[6]) / s;
            x = (r[1] + r[3]) / s;
            y = 0.25 * s;
            z = (r[5] + r[7]) / s;
        } else {
            double s = 2 * Math.sqrt(1 + r[8] - r[0] - r[4]);
            w = (r[3] - r[1]) / s;
            x = (r[2] + r[6]) / s;
            y = (r[5] + r[7]) / s;
            z = 0.25 * s;
        }
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        double sign = w < 0 ? -1 : 1;
        return new double[] {sign * w / n, sign * x / n, sign * y / n, sign * z / n};
    }
}
