package org.monailabel.engine.sample;

import java.util.SplittableRandom;

/**
 * A smooth random shape: an ellipsoid (centre, half-axes, rotation about the z axis) whose surface
 * is pushed in and out by a coarse random field, so that every phantom organ looks a little
 * different. Immutable and thread-safe.
 */
final class Blob {
    private static final int FIELD = 6;

    private final double cx;
    private final double cy;
    private final double cz;
    private final double ax;
    private final double ay;
    private final double az;
    private final double cos;
    private final double sin;
    private final double amplitude;
    private final float[] field = new float[FIELD * FIELD * FIELD];
    private final double[] min = new double[3];
    private final double[] max = new double[3];

    /**
     * @param centre world centre, mm (RAS)
     * @param halfAxes half-axes along the rotated x, y and z, mm
     * @param angle rotation about z, radians
     * @param amplitude how far the surface moves, as a fraction of the half-axes (0 = an ellipsoid)
     */
    Blob(
            double[] centre,
            double[] halfAxes,
            double angle,
            double amplitude,
            SplittableRandom random) {
        cx = centre[0];
        cy = centre[1];
        cz = centre[2];
        ax = halfAxes[0];
        ay = halfAxes[1];
        az = halfAxes[2];
        cos = Math.cos(angle);
        sin = Math.sin(angle);
        this.amplitude = amplitude;
        for (int i = 0; i < field.length; i++) {
            field[i] = (float) (random.nextDouble() * 2 - 1);
        }
        double reach = 1 + amplitude;
        double rxy = Math.max(ax, ay) * reach;
        min[0] = cx - rxy;
        max[0] = cx + rxy;
        min[1] = cy - rxy;
        max[1] = cy + rxy;
        min[2] = cz - az * reach;
        max[2] = cz + az * reach;
    }

    /** Whether the world point lies in the axis-aligned box around the shape (a cheap pre-test). */
    boolean mayContain(double x, double y, double z) {
        return x >= min[0]
                && x <= max[0]
                && y >= min[1]
                && y <= max[1]
                && z >= min[2]
                && z <= max[2];
    }

    /**
     * How deep the point lies inside: 1 at the centre, 0 on the surface, negative outside (in units
     * of the local radius).
     */
    double depth(double x, double y, double z) {
        double dx = x - cx;
        double dy = y - cy;
        double u = (cos * dx + sin * dy) / ax;
        double v = (-sin * dx + cos * dy) / ay;
        double w = (z - cz) / az;
        double r = Math.sqrt(u * u + v * v + w * w);
        double reach = 1 + amplitude * noise(u, v, w);
        return 1 - r / reach;
    }

    boolean contains(double x, double y, double z) {
        return mayContain(x, y, z) && depth(x, y, z) > 0;
    }

    /** The coarse field at normalised coordinates (each in about [-1.5, 1.5]), trilinear. */
    private double noise(double u, double v, double w) {
        double fu = clamp((u + 1.5) / 3 * (FIELD - 1));
        double fv = clamp((v + 1.5) / 3 * (FIELD - 1));
        double fw = clamp((w + 1.5) / 3 * (FIELD - 1));
        int iu = Math.min((int) fu, FIELD - 2);
        int iv = Math.min((int) fv, FIELD - 2);
        int iw = Math.min((int) fw, FIELD - 2);
        double tu = fu - iu;
        double tv = fv - iv;
        double tw = fw - iw;
        double c00 = lerp(at(iu, iv, iw), at(iu + 1, iv, iw), tu);
        double c10 = lerp(at(iu, iv + 1, iw), at(iu + 1, iv + 1, iw), tu);
        double c01 = lerp(at(iu, iv, iw + 1), at(iu + 1, iv, iw + 1), tu);
        double c11 = lerp(at(iu, iv + 1, iw + 1), at(iu + 1, iv + 1, iw + 1), tu);
        return lerp(lerp(c00, c10, tv), lerp(c01, c11, tv), tw);
    }

    private double at(int u, int v, int w) {
        return field[u + FIELD * (v + FIELD * w)];
    }

    private static double clamp(double f) {
        return Math.max(0, Math.min(FIELD - 1, f));
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }
}
