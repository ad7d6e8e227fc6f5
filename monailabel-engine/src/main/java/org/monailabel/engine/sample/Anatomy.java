package org.monailabel.engine.sample;

import java.util.SplittableRandom;

/**
 * One random patient: body outline, lungs, aorta, liver, spleen, kidneys and spine in world RAS
 * millimetres around the origin, with this patient's contrast phase and noise. Evaluates the
 * Hounsfield value and the label of any world point; immutable and thread-safe.
 */
final class Anatomy {
    static final int LIVER = 1;
    static final int SPLEEN = 2;
    static final int KIDNEY_LEFT = 3;
    static final int KIDNEY_RIGHT = 4;
    static final int SPINE = 5;

    /** Hounsfield value and label of one point. */
    record Tissue(double hu, int label) {}

    private static final Tissue AIR = new Tissue(-1000, 0);

    private final double bodyA; // half-width left-right, mm
    private final double bodyB; // half-depth anterior-posterior, mm
    private final double[] bodyWobble = new double[6];
    private final double maxEdge; // the outline's largest radius, relative to (bodyA, bodyB)
    private final double fat; // subcutaneous fat thickness, mm
    private final Blob lungLeft;
    private final Blob lungRight;
    private final Blob liver;
    private final Blob spleen;
    private final Blob kidneyLeft;
    private final Blob kidneyRight;
    private final double spineY;
    private final double vertebraRadius;
    private final double vertebraPeriod;
    private final double vertebraPhase;
    private final double aortaX;
    private final double aortaY;
    private final double aortaRadius;
    private final double huLiver;
    private final double huSpleen;
    private final double huKidney;
    private final double huAorta;
    final double noiseSigma;
    private final ValueNoise texture;
    private final ValueNoise fatPockets;

    Anatomy(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double f = 0.85 + 0.3 * r.nextDouble(); // patient size
        bodyA = 155 * f;
        bodyB = 112 * f * (0.9 + 0.2 * r.nextDouble());
        for (int i = 0; i < bodyWobble.length; i++) {
            bodyWobble[i] = (i % 2 == 0 ? 0.035 * r.nextDouble() : 2 * Math.PI * r.nextDouble());
        }
        maxEdge = (1 + bodyWobble[0] + bodyWobble[2] + bodyWobble[4]) * 1.04;
        fat = 8 + 14 * r.nextDouble();
        double a = bodyA;
        double b = bodyB;
        double lungZ = 165 + 20 * r.nextDouble();
        lungRight =
                new Blob(
                        new double[] {0.45 * a, -0.05 * b, lungZ},
                        new double[] {0.36 * a, 0.7 * b, 115},
                        0.1 * r.nextGaussian(),
                        0.08,
                        r.split());
        lungLeft =
                new Blob(
                        new double[] {-0.45 * a, -0.05 * b, lungZ + 10},
                        new double[] {0.34 * a, 0.68 * b, 115},
                        0.1 * r.nextGaussian(),
                        0.08,
                        r.split());
        double liverZ = 35 + 15 * r.nextDouble();
        liver =
                new Blob(
                        new double[] {0.33 * a, 0.08 * b, liverZ},
                        new double[] {
                            0.5 * a * (0.9 + 0.2 * r.nextDouble()),
                            0.72 * b,
                            68 + 14 * r.nextDouble()
                        },
                        -0.25 + 0.2 * r.nextGaussian(),
                        0.18,
                        r.split());
        spleen =
                new Blob(
                        new double[] {-0.55 * a, -0.3 * b, liverZ + 15 + 10 * r.nextDouble()},
                        new double[] {
                            0.2 * a * (0.85 + 0.3 * r.nextDouble()),
                            0.45 * b,
                            45 + 12 * r.nextDouble()
                        },
                        0.6 + 0.2 * r.nextGaussian(),
                        0.2,
                        r.split());
        double kidneyZ = -25 + 20 * r.nextDouble();
        double[] kidneyAxes = {28 * f, 32 * f, 52 + 8 * r.nextDouble()};
        kidneyLeft =
                new Blob(
                        new double[] {-0.42 * a, -0.42 * b, kidneyZ + 10},
                        kidneyAxes,
                        0.35 + 0.1 * r.nextGaussian(),
                        0.12,
                        r.split());
        kidneyRight =
                new Blob(
                        new double[] {0.42 * a, -0.42 * b, kidneyZ - 5},
                        kidneyAxes,
                        -0.35 + 0.1 * r.nextGaussian(),
                        0.12,
                        r.split());
        spineY = -0.5 * b;
        vertebraRadius = 17 * f;
        vertebraPeriod = 30 * f;
        vertebraPhase = vertebraPeriod * r.nextDouble();
        aortaX = -0.1 * a;
        aortaY = spineY + vertebraRadius + 14 * f;
        aortaRadius = 11 * f;
        boolean contrast = r.nextDouble() < 0.75;
        huLiver = contrast ? 95 + 25 * r.nextDouble() : 50 + 15 * r.nextDouble();
        huSpleen = huLiver + (contrast ? 5 + 15 * r.nextDouble() : -8 + 6 * r.nextDouble());
        huKidney = contrast ? 150 + 50 * r.nextDouble() : 30 + 10 * r.nextDouble();
        huAorta = contrast ? 150 + 80 * r.nextDouble() : 40;
        noiseSigma = 10 + 15 * r.nextDouble();
        texture = new ValueNoise(r.nextLong(), 9);
        fatPockets = new ValueNoise(r.nextLong(), 22);
    }

    /** The tissue at a world point (no noise; the caller adds it). */
    Tissue at(double x, double y, double z) {
        double rho = Math.sqrt((x / bodyA) * (x / bodyA) + (y / bodyB) * (y / bodyB));
        if (rho > maxEdge) {
            return AIR; // outside the largest outline the wobble can make: skip the trigonometry
        }
        double theta = Math.atan2(y, x);
        double edge =
                1
                        + bodyWobble[0] * Math.cos(2 * theta + bodyWobble[1])
                        + bodyWobble[2] * Math.cos(3 * theta + bodyWobble[3])
                        + bodyWobble[4] * Math.cos(4 * theta + bodyWobble[5]);
        edge *= 1 + 0.04 * Math.sin(z / 70);
        if (rho >= edge) {
            return AIR;
        }
        double tex = texture.at(x, y, z);
        double skinDistance = (edge - rho) * Math.min(bodyA, bodyB);
        if (skinDistance < 2) {
            return new Tissue(30 + 10 * tex, 0); // skin
        }
        if (skinDistance < fat) {
            return new Tissue(-105 + 12 * tex, 0);
        }
        Tissue bone = spine(x, y, z, tex);
        if (bone != null) {
            return bone;
        }
        if (kidneyLeft.contains(x, y, z)) {
            return kidney(kidneyLeft, x, y, z, tex, KIDNEY_LEFT);
        }
        if (kidneyRight.contains(x, y, z)) {
            return kidney(kidneyRight, x, y, z, tex, KIDNEY_RIGHT);
        }
        if (spleen.contains(x, y, z)) {
            return new Tissue(huSpleen + 9 * tex, SPLEEN);
        }
        if (liver.contains(x, y, z)) {
            return new Tissue(huLiver + 10 * tex, LIVER);
        }
        double ax = x - aortaX;
        double ay = y - aortaY;
        if (ax * ax + ay * ay < aortaRadius * aortaRadius) {
            return new Tissue(huAorta + 6 * tex, 0);
        }
        if (lungLeft.contains(x, y, z) || lungRight.contains(x, y, z)) {
            return new Tissue(-850 + 45 * tex, 0);
        }
        if (fatPockets.at(x, y, z) > 0.35) {
            return new Tissue(-95 + 15 * tex, 0); // visceral fat
        }
        return new Tissue(38 + 14 * tex, 0); // muscle, bowel and other soft tissue
    }

    private Tissue kidney(Blob kidney, double x, double y, double z, double tex, int label) {
        double depth = kidney.depth(x, y, z);
        double hu =
                depth > 0.55 ? 25 + 8 * tex : huKidney + 10 * tex; // renal sinus inside the cortex
        return new Tissue(hu, label);
    }

    /**
     * Vertebral bodies with cortical rims, neural arches and spinous processes; discs unlabelled.
     */
    private Tissue spine(double x, double y, double z, double tex) {
        double dy = y - spineY;
        if (Math.abs(x) > vertebraRadius * 1.6
                || dy > vertebraRadius
                || dy < -3.6 * vertebraRadius) {
            return null;
        }
        double phase =
                Math.floorMod(
                                (long) Math.floor((z + vertebraPhase) * 16),
                                (long) (vertebraPeriod * 16))
                        / 16.0;
        boolean disc = phase < 7;
        double r = Math.sqrt(x * x + dy * dy);
        if (r < vertebraRadius) {
            if (disc) {
                return new Tissue(85 + 10 * tex, 0);
            }
            return new Tissue(vertebraRadius - r < 2.5 ? 700 + 60 * tex : 230 + 40 * tex, SPINE);
        }
        if (disc) {
            return null;
        }
        double canalY = spineY - vertebraRadius - 9;
        double cy = y - canalY;
        double rc = Math.sqrt(x * x + cy * cy);
        if (rc > 9 && rc < 16 && cy < 4) {
            return new Tissue(520 + 50 * tex, SPINE); // neural arch
        }
        if (Math.abs(x) < 4 && cy <= -14 && cy > -14 - 1.6 * vertebraRadius) {
            return new Tissue(480 + 50 * tex, SPINE); // spinous process
        }
        return null;
    }
}
