package org.monailabel.engine.transform;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;

/**
 * A reorientation by axis permutation and flips, as MONAI's {@code Orientation} and nibabel's
 * {@code io_orientation} compute it: output axis {@code a} takes the voxels of input axis {@code
 * sourceAxis[a]}, reversed where {@code flip[a]}. The affine is updated so that every voxel keeps
 * its world position. Immutable and thread-safe.
 *
 * <pre>{@code
 * Orientation toRas = Orientation.toRas(image.affine());
 * Volume ras = toRas.apply(image);                 // closest RAS by permutation and flips
 * Volume back = toRas.invert(ras);                 // exactly the input grid again
 * }</pre>
 */
public final class Orientation {
    private final int[] sourceAxis;
    private final boolean[] flip;

    private Orientation(int[] sourceAxis, boolean[] flip) {
        this.sourceAxis = sourceAxis;
        this.flip = flip;
    }

    /**
     * The permutation and flips that bring a grid with this affine closest to RAS. Like nibabel, it
     * takes the orthogonal part of the affine's direction matrix (the polar factor, which ignores
     * shears) and, input axis by input axis, picks the world axis it is most aligned with.
     */
    public static Orientation toRas(Affine affine) {
        double[][] r = orthogonalFactor(affine);
        int[] sourceAxis = new int[3];
        boolean[] flip = new boolean[3];
        boolean[] taken = new boolean[3];
        for (int in = 0; in < 3; in++) {
            int best = -1;
            for (int out = 0; out < 3; out++) {
                if (!taken[out] && (best < 0 || Math.abs(r[out][in]) > Math.abs(r[best][in]))) {
                    best = out;
                }
            }
            taken[best] = true;
            sourceAxis[best] = in;
            flip[best] = r[best][in] < 0;
            for (int c = 0; c < 3; c++) {
                r[best][c] = 0; // nibabel zeroes the chosen world row for the remaining input axes
            }
        }
        return new Orientation(sourceAxis, flip);
    }

    /** Nibabel's axis codes of an affine, e.g. {@code "PLS"}. */
    public static String axisCodes(Affine affine) {
        Orientation o = toRas(affine);
        char[] codes = new char[3];
        String positive = "RAS";
        String negative = "LPI";
        for (int out = 0; out < 3; out++) {
            codes[o.sourceAxis[out]] = o.flip[out] ? negative.charAt(out) : positive.charAt(out);
        }
        return new String(codes);
    }

    /** Whether this orientation changes nothing. */
    public boolean isIdentity() {
        for (int a = 0; a < 3; a++) {
            if (sourceAxis[a] != a || flip[a]) {
                return false;
            }
        }
        return true;
    }

    /** The shape after reorienting a grid of {@code shape} (3 or 4 axes; a fourth is kept). */
    public int[] apply(int[] shape) {
        int[] out = shape.clone();
        for (int a = 0; a < 3; a++) {
            out[a] = shape[sourceAxis[a]];
        }
        return out;
    }

    /** The affine of the reoriented grid: every voxel keeps its world position. */
    public Affine apply(Affine affine, int[] inputShape) {
        double[] m = new double[16];
        for (int a = 0; a < 3; a++) {
            int s = sourceAxis[a];
            m[s * 4 + a] = flip[a] ? -1 : 1;
            if (flip[a]) {
                m[s * 4 + 3] = inputShape[s] - 1;
            }
        }
        m[15] = 1;
        return affine.multiply(Affine.of(m));
    }

    /** The volume reoriented (a copy unless this is the identity), of the same voxel type. */
    public Volume apply(Volume volume) {
        if (isIdentity()) {
            return volume;
        }
        int[] in = volume.shape();
        int[] out = apply(in);
        Volume result =
                Volume.allocate(volume.type(), apply(volume.affine(), in), out)
                        .withMetadata(volume.metadata());
        copyVoxels(volume, in, result, out);
        return result;
    }

    /** The inverse: brings a volume reoriented by this back onto the original axes. */
    public Orientation inverse() {
        int[] src = new int[3];
        boolean[] f = new boolean[3];
        for (int a = 0; a < 3; a++) {
            src[sourceAxis[a]] = a;
            f[sourceAxis[a]] = flip[a];
        }
        return new Orientation(src, f);
    }

    /** Undoes {@link #apply(Volume)}: the same as {@code inverse().apply(volume)}. */
    public Volume invert(Volume reoriented) {
        return inverse().apply(reoriented);
    }

    private void copyVoxels(Volume source, int[] in, Volume target, int[] out) {
        long[] stride = {1, in[0], (long) in[0] * in[1]};
        long channelStride = (long) in[0] * in[1] * in[2];
        // for each output axis: the step in the input per output step, and where it starts
        long[] step = new long[3];
        long start = 0;
        for (int a = 0; a < 3; a++) {
            int s = sourceAxis[a];
            step[a] = flip[a] ? -stride[s] : stride[s];
            if (flip[a]) {
                start += (in[s] - 1) * stride[s];
            }
        }
        int bytes = source.type().bytes();
        ByteBuffer src = source.data();
        ByteBuffer dst = target.data();
        byte[] voxel = new byte[bytes];
        boolean swap = src.order() != dst.order() && bytes > 1;
        long o = 0;
        int channels = out.length == 4 ? out[3] : 1;
        for (int c = 0; c < channels; c++) {
            for (int z = 0; z < out[2]; z++) {
                for (int y = 0; y < out[1]; y++) {
                    long i = c * channelStride + start + z * step[2] + y * step[1];
                    for (int x = 0; x < out[0]; x++, i += step[0], o++) {
                        src.get(Math.toIntExact(i * bytes), voxel);
                        if (swap) {
                            reverse(voxel);
                        }
                        dst.put(Math.toIntExact(o * bytes), voxel);
                    }
                }
            }
        }
    }

    private static void reverse(byte[] b) {
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }

    /** The closest orthogonal matrix to the normalised direction matrix (polar decomposition). */
    private static double[][] orthogonalFactor(Affine affine) {
        double[] spacing = affine.spacing();
        double[][] r = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                r[row][col] = affine.get(row, col) / (spacing[col] == 0 ? 1 : spacing[col]);
            }
        }
        for (int iteration = 0;
                iteration < 100;
                iteration++) { // R <- (R + R^-T) / 2 converges quadratically
            double[][] invT = Matrix3.inverseTranspose(r);
            double change = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double v = (r[i][j] + invT[i][j]) / 2;
                    change = Math.max(change, Math.abs(v - r[i][j]));
                    r[i][j] = v;
                }
            }
            if (change < 1e-15) {
                break;
            }
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Orientation other
                && Arrays.equals(sourceAxis, other.sourceAxis)
                && Arrays.equals(flip, other.flip);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(sourceAxis), Arrays.hashCode(flip));
    }

    @Override
    public String toString() {
        return "Orientation[source="
                + Arrays.toString(sourceAxis)
                + ", flip="
                + Arrays.toString(flip)
                + "]";
    }
}
