package org.monailabel.engine.io.dicom;

/**
 * Conversion between sRGB colours and the scaled CIELab values of DICOM's {@code
 * RecommendedDisplayCIELabValue} (PS3.3 C.10.7.1.1): sRGB (IEC 61966-2-1) is linearised, turned
 * into CIE XYZ and then into CIELab relative to the D65 white point; L* 0..100 is stored as
 * 0..65535 and a*, b* -128..127 as 0..65535, rounded to the nearest integer.
 */
final class CieLab {
    /** The D65 white point (CIE 1931 2 degree observer), Y normalised to 1. */
    private static final double XN = 0.95047;

    private static final double YN = 1.0;
    private static final double ZN = 1.08883;
    private static final double DELTA = 6.0 / 29;

    private CieLab() {}

    /** The DICOM scaled L*, a*, b* of a {@code 0xRRGGBB} colour. */
    static int[] toDicom(int rgb) {
        double r = linear(((rgb >> 16) & 0xFF) / 255.0);
        double g = linear(((rgb >> 8) & 0xFF) / 255.0);
        double b = linear((rgb & 0xFF) / 255.0);
        double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
        double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
        double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
        double fx = f(x / XN);
        double fy = f(y / YN);
        double fz = f(z / ZN);
        double l = 116 * fy - 16;
        double a = 500 * (fx - fy);
        double bb = 200 * (fy - fz);
        return new int[] {
            scale(l / 100), scale((a + 128) / 255), scale((bb + 128) / 255),
        };
    }

    /** The {@code 0xRRGGBB} colour of DICOM scaled L*, a*, b* (out-of-gamut values clipped). */
    static int toRgb(int[] lab) {
        double l = lab[0] / 65535.0 * 100;
        double a = lab[1] / 65535.0 * 255 - 128;
        double b = lab[2] / 65535.0 * 255 - 128;
        double fy = (l + 16) / 116;
        double fx = fy + a / 500;
        double fz = fy - b / 200;
        double x = XN * finv(fx);
        double y = YN * finv(fy);
        double z = ZN * finv(fz);
        double rl = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
        double gl = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z;
        double bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
        return channel(rl) << 16 | channel(gl) << 8 | channel(bl);
    }

    private static double linear(double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static int channel(double linear) {
        double c = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
        return (int) Math.max(0, Math.min(255, Math.round(c * 255)));
    }

    private static double f(double t) {
        return t > DELTA * DELTA * DELTA ? Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4.0 / 29;
    }

    private static double finv(double t) {
        return t > DELTA ? t * t * t : 3 * DELTA * DELTA * (t - 4.0 / 29);
    }

    private static int scale(double unit) {
        return (int) Math.max(0, Math.min(65535, Math.round(unit * 65535)));
    }
}
