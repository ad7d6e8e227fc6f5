package org.monailabel.engine.sample;

import org.monailabel.api.image.Affine;

/**
 * How a phantom's voxel axes are laid out in world space, named by the direction each voxel axis
 * points to (nibabel's axis codes): the orders that real scanners and converters write.
 */
public enum StorageOrder {
    /** i to the right, j anterior, k superior: NIfTI's canonical order. */
    RAS(new int[] {0, 1, 2}, new int[] {1, 1, 1}),
    /** i to the left, j posterior: DICOM's patient order, as ITK and Slicer write NIfTI. */
    LPS(new int[] {0, 1, 2}, new int[] {-1, -1, 1}),
    /** i to the left, j anterior: what dcm2niix and nibabel commonly produce. */
    LAS(new int[] {0, 1, 2}, new int[] {-1, 1, 1}),
    /** In-plane axes swapped: i points posterior, j left. */
    PLS(new int[] {1, 0, 2}, new int[] {-1, -1, 1});

    private final int[] worldAxis;
    private final int[] sign;

    StorageOrder(int[] worldAxis, int[] sign) {
        this.worldAxis = worldAxis;
        this.sign = sign;
    }

    /**
     * The affine of a grid with this order, the given voxel spacing (mm, per voxel axis), centred
     * on the world origin.
     */
    public Affine affine(int[] shape, double[] spacing) {
        double[] m = new double[16];
        for (int axis = 0; axis < 3; axis++) {
            m[worldAxis[axis] * 4 + axis] = sign[axis] * spacing[axis];
        }
        m[15] = 1;
        Affine linear = Affine.of(m);
        double[] centre =
                linear.apply((shape[0] - 1) / 2.0, (shape[1] - 1) / 2.0, (shape[2] - 1) / 2.0);
        return linear.withTranslation(-centre[0], -centre[1], -centre[2]);
    }
}
