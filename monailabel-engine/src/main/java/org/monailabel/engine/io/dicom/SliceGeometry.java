package org.monailabel.engine.io.dicom;

import org.monailabel.api.image.Affine;

/**
 * A volume grid's image plane and slice positions in DICOM's LPS terms, as the writers put them in
 * {@code ImageOrientationPatient}, {@code PixelSpacing} and each slice's {@code
 * ImagePositionPatient}. Rows and columns must be perpendicular (a DICOM image plane cannot be
 * sheared); the step from slice to slice may leave the normal (a gantry-tilted series, whose
 * positions then carry the tilt).
 *
 * @param orientation row direction then column direction (unit vectors)
 * @param pixelSpacing the spacing between rows, then between columns (DICOM's order)
 * @param sliceSpacing the distance between slices along the normal
 * @param normal row direction x column direction
 * @param origin the first slice's position
 * @param step from one slice's position to the next
 */
record SliceGeometry(
        double[] orientation,
        double[] pixelSpacing,
        double sliceSpacing,
        double[] normal,
        double[] origin,
        double[] step) {

    /**
     * The geometry of a RAS affine.
     *
     * @throws IllegalArgumentException if rows and columns are not perpendicular or the slices lie
     *     in one plane
     */
    static SliceGeometry of(Affine ras) {
        Affine lps = ras.flipXY();
        double[] spacing = lps.spacing();
        double[] row = new double[3];
        double[] column = new double[3];
        double[] step = new double[3];
        for (int a = 0; a < 3; a++) {
            row[a] = lps.get(a, 0) / spacing[0];
            column[a] = lps.get(a, 1) / spacing[1];
            step[a] = lps.get(a, 2);
        }
        double dot = row[0] * column[0] + row[1] * column[1] + row[2] * column[2];
        if (Math.abs(dot) > 1e-4) {
            throw new IllegalArgumentException(
                    "The grid's rows and columns are not perpendicular (cosine "
                            + dot
                            + "); a DICOM image plane cannot be sheared");
        }
        double[] normal = {
            row[1] * column[2] - row[2] * column[1],
            row[2] * column[0] - row[0] * column[2],
            row[0] * column[1] - row[1] * column[0]
        };
        double along = Math.abs(normal[0] * step[0] + normal[1] * step[1] + normal[2] * step[2]);
        if (!(along > 1e-6 * spacing[2])) {
            throw new IllegalArgumentException(
                    "The grid's slices lie in the plane of its rows and columns");
        }
        return new SliceGeometry(
                new double[] {row[0], row[1], row[2], column[0], column[1], column[2]},
                new double[] {spacing[1], spacing[0]},
                along,
                normal,
                lps.origin(),
                step);
    }

    /** Slice {@code k}'s {@code ImagePositionPatient}. */
    double[] position(int k) {
        return new double[] {
            origin[0] + k * step[0], origin[1] + k * step[1], origin[2] + k * step[2]
        };
    }

    /** Slice {@code k}'s {@code SliceLocation}: its position along the normal. */
    double location(int k) {
        double[] p = position(k);
        return p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
    }
}
