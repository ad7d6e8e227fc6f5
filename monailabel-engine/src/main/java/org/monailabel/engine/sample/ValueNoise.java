package org.monailabel.engine.sample;

/**
 * Smooth, deterministic 3-D value noise in [-1, 1]: random values on a lattice of the given cell
 * size (mm), hashed from the lattice position and a seed, interpolated with a smooth step. No state
 * but the seed, so it is thread-safe and costs no memory.
 */
final class ValueNoise {
    private final long seed;
    private final double cell;

    ValueNoise(long seed, double cellMm) {
        this.seed = seed;
        this.cell = cellMm;
    }

    double at(double x, double y, double z) {
        double fx = x / cell;
        double fy = y / cell;
        double fz = z / cell;
        long ix = (long) Math.floor(fx);
        long iy = (long) Math.floor(fy);
        long iz = (long) Math.floor(fz);
        double tx = smooth(fx - ix);
        double ty = smooth(fy - iy);
        double tz = smooth(fz - iz);
        double c00 = lerp(lattice(ix, iy, iz), lattice(ix + 1, iy, iz), tx);
        double c10 = lerp(lattice(ix, iy + 1, iz), lattice(ix + 1, iy + 1, iz), tx);
        double c01 = lerp(lattice(ix, iy, iz + 1), lattice(ix + 1, iy, iz + 1), tx);
        double c11 = lerp(lattice(ix, iy + 1, iz + 1), lattice(ix + 1, iy + 1, iz + 1), tx);
        return lerp(lerp(c00, c10, ty), lerp(c01, c11, ty), tz);
    }

    private double lattice(long x, long y, long z) {
        long h =
                seed
                        ^ (x * 0x9E3779B97F4A7C15L)
                        ^ (y * 0xC2B2AE3D27D4EB4FL)
                        ^ (z * 0x165667B19E3779F9L);
        h = mix(h);
        return (h >>> 11) * 0x1.0p-53 * 2 - 1;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }
}
