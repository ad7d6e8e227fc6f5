package org.monailabel.engine.io.nifti;

import org.monailabel.api.image.Affine;
import org.monailabel.engine.io.InvalidImageException;

/**
 * NIfTI geometry: chooses the voxel-to-world affine as nibabel does, and turns an affine back into
 * qform parameters (quaternion of the nearest rotation, spacings and qfac) as nibabel's {@code
 * set_qform} does.
 *
 * <p>Choice ({@code Nifti1Header.get_best_affine}): the sform if {@code sform_code != 0}, else the
 * qform if {@code qform_code != 0}, else nibabel's fallback: spacings on the diagonal with x
 * negated, centred on the middle voxel. Before that, like nibabel's header check on load, negative
 * spacings are made positive, zero spacings become 1 and a qfac other than -1 becomes 1. One
 * deliberate difference: {@code xyzt_units} of metres or micrometres scale the affine to mm
 * (nibabel ignores units; ITK converts).
 */
final class NiftiAffines {
    /** nibabel's tolerance for {@code 1 - (b^2 + c^2 + d^2)} slightly below zero. */
    private static final double QUATERNION_THRESHOLD = -3 * Math.ulp(1.0f);

    private NiftiAffines() {}

    /** The affine in RAS mm that nibabel reports for this header (with units converted to mm). */
    static Affine choose(NiftiHeader h) throws InvalidImageException {
        double[] pixdim = fixedPixdim(h.pixdim());
        double[] m;
        String source;
        if (h.sformCode() != 0) {
            m = h.srow().clone();
            source = "sform";
        } else if (h.qformCode() != 0) {
            m = qform(h.quatern(), h.qoffset(), pixdim);
            source = "qform";
        } else {
            m = fallback(h.dim(), pixdim);
            source = "pixdim";
        }
        double unit = unitToMm(h.xyztUnits());
        for (int i = 0; i < 12; i++) {
            m[i] *= unit;
            if (!Double.isFinite(m[i])) {
                throw new InvalidImageException(
                        "NIfTI " + source + " affine has a non-finite value");
            }
        }
        Affine affine = Affine.of(m);
        if (!affine.isInvertible()) {
            throw new InvalidImageException("NIfTI " + source + " affine is singular: " + affine);
        }
        return affine;
    }

    /** Scale from the header's spatial unit to mm: metres and micrometres are converted. */
    static double unitToMm(int xyztUnits) {
        return switch (xyztUnits & 0x07) {
            case 1 -> 1000.0;
            case 3 -> 0.001;
            default -> 1.0; // 2 = mm, 0 = unknown (read as mm, like everybody)
        };
    }

    private static double[] fixedPixdim(double[] pixdim) {
        double[] p = pixdim.clone();
        for (int i = 1; i <= 3; i++) {
            p[i] = p[i] == 0 ? 1 : Math.abs(p[i]);
        }
        p[0] = p[0] == -1 ? -1 : 1;
        return p;
    }

    /** The qform's first three rows, row-major (nibabel {@code get_qform}). */
    static double[] qform(double[] bcd, double[] qoffset, double[] pixdim)
            throws InvalidImageException {
        double b = bcd[0];
        double c = bcd[1];
        double d = bcd[2];
        double w2 = 1.0 - (b * b + c * c + d * d);
        if (!(w2 >= QUATERNION_THRESHOLD)) {
            throw new InvalidImageException(
                    "NIfTI qform quaternion (" + b + ", " + c + ", " + d + ") has a norm above 1");
        }
        double a = w2 < 0 ? 0 : Math.sqrt(w2);
        double[] r = quaternionToMatrix(a, b, c, d);
        double[] zoom = {pixdim[1], pixdim[2], pixdim[3] * pixdim[0]};
        double[] m = new double[12];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row * 3 + col] * zoom[col];
            }
            m[row * 4 + 3] = qoffset[row];
        }
        return m;
    }

    /**
     * Rotation matrix (row-major 3x3) of a quaternion, normalised first (nibabel {@code quat2mat}).
     */
    static double[] quaternionToMatrix(double w, double x, double y, double z) {
        double n = w * w + x * x + y * y + z * z;
        if (n < Math.ulp(1.0)) {
            return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
        }
        double s = 2.0 / n;
        double xs = x * s;
        double ys = y * s;
        double zs = z * s;
        double wx = w * xs;
        double wy = w * ys;
        double wz = w * zs;
        double xx = x * xs;
        double xy = x * ys;
        double xz = x * zs;
        double yy = y * ys;
        double yz = y * zs;
        double zz = z * zs;
        return new double[] {
            1 - (yy + zz),
            xy - wz,
            xz + wy,
            xy + wz,
            1 - (xx + zz),
            yz - wx,
            xz - wy,
            yz + wx,
            1 - (xx + yy)
        };
    }

    /** nibabel's {@code get_base_affine}: flipped x, centred on the middle voxel. */
    private static double[] fallback(long[] dim, double[] pixdim) {
        double[] m = new double[12];
        for (int axis = 0; axis < 3; axis++) {
            boolean present = axis < dim[0];
            double zoom = present ? pixdim[axis + 1] : 1;
            double size = present ? dim[axis + 1] : 1;
            if (axis == 0) {
                zoom = -zoom;
            }
            m[axis * 4 + axis] = zoom;
            m[axis * 4 + 3] = -(size - 1) / 2.0 * zoom;
        }
        return m;
    }
}
