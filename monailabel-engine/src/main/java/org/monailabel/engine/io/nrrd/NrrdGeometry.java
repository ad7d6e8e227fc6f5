package org.monailabel.engine.io.nrrd;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.monailabel.api.image.Affine;
import org.monailabel.engine.io.InvalidImageException;

/**
 * Maps a NRRD header's axes and geometry onto a {@link org.monailabel.api.image.Volume}: two or
 * three spatial axes and at most one non-spatial axis (channels, list, vector...), which must be
 * the first or the last axis; the affine is converted to RAS.
 *
 * <p>Spatial axes are those with a {@code space directions} vector when the header has a space;
 * without one, those whose kind is {@code domain} or {@code space} (or, without kinds, the first
 * three). Spaces: RAS, LAS and LPS (long or short names), or a bare {@code space dimension} of 2 or
 * 3 read as LPS like ITK does (a 2-D space gets z = 0); without any space the spacings describe an
 * axis-aligned grid in LPS at the origin, as ITK and Slicer read it.
 *
 * @param shape {@code (x, y, z)} or {@code (x, y, z, c)}
 * @param channelAxis the NRRD axis holding channels: -1 for none, 0 (interleaved) or the last axis
 * @param affine voxel-to-world, RAS mm
 * @param space the header's space name, or {@code ""} if absent
 */
record NrrdGeometry(int[] shape, int channelAxis, Affine affine, String space) {
    private static final Set<String> SPATIAL_KINDS = Set.of("domain", "space");

    static NrrdGeometry of(NrrdHeader header, int dimension, long[] sizes)
            throws InvalidImageException {
        Optional<String> space = header.field("space").map(s -> s.trim().toLowerCase(Locale.ROOT));
        boolean[] flip = space.isPresent() ? flips(space.get()) : new boolean[] {true, true};
        boolean hasSpace = space.isPresent() || header.field("space dimension").isPresent();
        int spaceDimension = 3;
        if (space.isEmpty() && header.field("space dimension").isPresent()) {
            long sd = NrrdHeader.parseLong(header.required("space dimension"), "space dimension");
            if (sd != 2 && sd != 3) {
                throw new InvalidImageException(
                        "NRRD space dimension " + sd + " is not supported (2 or 3)");
            }
            spaceDimension = (int) sd;
        }
        double[][] directions =
                hasSpace ? pad(header.spaceDirections(dimension, spaceDimension)) : null;
        boolean[] spatial = spatialAxes(header, dimension, directions);
        int channelAxis = -1;
        int spatialCount = 0;
        for (int i = 0; i < dimension; i++) {
            if (spatial[i]) {
                spatialCount++;
            } else if (channelAxis >= 0) {
                throw new InvalidImageException("NRRD image has more than one non-spatial axis");
            } else {
                channelAxis = i;
            }
        }
        if (spatialCount < 2 || spatialCount > 3) {
            throw new InvalidImageException(
                    "NRRD image has " + spatialCount + " spatial axes (2 or 3 supported)");
        }
        if (channelAxis > 0 && channelAxis != dimension - 1) {
            throw new InvalidImageException(
                    "NRRD non-spatial axis " + channelAxis + " is neither the first nor the last");
        }
        int[] shape = new int[] {1, 1, 1};
        double[] m = new double[12];
        int column = 0;
        double[] spacings = hasSpace ? null : spacings(header, dimension);
        for (int i = 0; i < dimension; i++) {
            if (!spatial[i]) {
                continue;
            }
            shape[column] = (int) sizes[i];
            double[] d = hasSpace ? directions[i] : unit(column, spacings[i]);
            for (int row = 0; row < 3; row++) {
                m[row * 4 + column] = d[row];
            }
            column++;
        }
        if (column == 2) {
            double[] n = normal(m);
            for (int row = 0; row < 3; row++) {
                m[row * 4 + 2] = n[row];
            }
        }
        double[] origin =
                header.field("space origin").isPresent() && hasSpace
                        ? Arrays.copyOf(
                                header.vector(
                                        header.required("space origin"),
                                        spaceDimension,
                                        "space origin"),
                                3)
                        : new double[3];
        for (int row = 0; row < 3; row++) {
            m[row * 4 + 3] = origin[row];
        }
        for (int row = 0; row < 2; row++) {
            if (flip[row]) {
                for (int c = 0; c < 4; c++) {
                    m[row * 4 + c] = 0.0 - m[row * 4 + c]; // 0.0 - x: no negative zeros
                }
            }
        }
        Affine affine = Affine.of(m);
        if (!affine.isInvertible()) {
            throw new InvalidImageException("NRRD space directions are singular: " + affine);
        }
        if (channelAxis >= 0 && sizes[channelAxis] > 1) {
            shape = new int[] {shape[0], shape[1], shape[2], (int) sizes[channelAxis]};
        } else if (channelAxis >= 0) {
            channelAxis = -1; // a channel axis of size 1 changes nothing in the layout
        }
        return new NrrdGeometry(shape, channelAxis, affine, space.orElse(""));
    }

    /** Vectors of a 2-D space become 3-D with z = 0. */
    private static double[][] pad(double[][] directions) {
        double[][] out = new double[directions.length][];
        for (int i = 0; i < directions.length; i++) {
            out[i] = directions[i] == null ? null : Arrays.copyOf(directions[i], 3);
        }
        return out;
    }

    /** Which world axes (x, y) to negate to reach RAS. */
    private static boolean[] flips(String space) throws InvalidImageException {
        return switch (space) {
            case "right-anterior-superior", "ras" -> new boolean[] {false, false};
            case "left-anterior-superior", "las" -> new boolean[] {true, false};
            case "left-posterior-superior", "lps" -> new boolean[] {true, true};
            default ->
                    throw new InvalidImageException(
                            "NRRD space '"
                                    + NrrdHeader.abbreviate(space)
                                    + "' is not supported (RAS, LAS and LPS are)");
        };
    }

    private static boolean[] spatialAxes(NrrdHeader header, int dimension, double[][] directions)
            throws InvalidImageException {
        boolean[] spatial = new boolean[dimension];
        Optional<String[]> kinds = header.kinds(dimension);
        for (int i = 0; i < dimension; i++) {
            if (directions != null) {
                spatial[i] = directions[i] != null;
            } else if (kinds.isPresent()) {
                spatial[i] = SPATIAL_KINDS.contains(kinds.get()[i]);
            } else {
                spatial[i] = i < 3;
            }
        }
        return spatial;
    }

    private static double[] spacings(NrrdHeader header, int dimension)
            throws InvalidImageException {
        double[] s = new double[dimension];
        String[] tokens = header.field("spacings").map(NrrdHeader::tokens).orElse(new String[0]);
        if (tokens.length != 0 && tokens.length != dimension) {
            throw new InvalidImageException(
                    "NRRD spacings has " + tokens.length + " values for dimension " + dimension);
        }
        for (int i = 0; i < dimension; i++) {
            double v = tokens.length == 0 ? 1 : NrrdHeader.parseDouble(tokens[i], "spacings");
            s[i] = Double.isNaN(v) ? 1 : v;
            if (!Double.isFinite(s[i]) || s[i] == 0) {
                throw new InvalidImageException("NRRD spacing " + v + " is not usable");
            }
        }
        return s;
    }

    private static double[] unit(int column, double length) {
        double[] d = new double[3];
        d[column] = length;
        return d;
    }

    /** Unit normal of the first two columns, for a 2-D image in 3-D space. */
    private static double[] normal(double[] m) throws InvalidImageException {
        double[] a = {m[0], m[4], m[8]};
        double[] b = {m[1], m[5], m[9]};
        double[] n = {
            a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]
        };
        double length = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (!(length > 0) || !Double.isFinite(length)) {
            throw new InvalidImageException(
                    "NRRD space directions of a 2-D image are parallel or zero");
        }
        return new double[] {n[0] / length, n[1] / length, n[2] / length};
    }
}
