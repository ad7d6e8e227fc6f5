package org.monailabel.engine.io.nifti;

import java.nio.ByteOrder;

/**
 * The fields of a NIfTI-1 or NIfTI-2 header that the codec uses, widened to {@code long} and {@code
 * double} (NIfTI-1 stores {@code short} and {@code float}). Arrays are owned by the header; nobody
 * modifies them after construction.
 *
 * @param version 1 or 2
 * @param order the byte order of the header and the voxel data
 * @param dim {@code dim[0]} = number of axes, then the sizes (8 values)
 * @param pixdim {@code pixdim[0]} = qfac, then the spacings (8 values)
 * @param voxOffset where the voxel data starts, in bytes from the start of the file
 * @param quatern quaternion {@code (b, c, d)}
 * @param qoffset qform translation {@code (x, y, z)}
 * @param srow the sform's first three rows, row-major (12 values)
 */
record NiftiHeader(
        int version,
        ByteOrder order,
        long[] dim,
        int datatype,
        double[] pixdim,
        long voxOffset,
        double sclSlope,
        double sclInter,
        int xyztUnits,
        int qformCode,
        int sformCode,
        double[] quatern,
        double[] qoffset,
        double[] srow,
        int intentCode,
        String descrip) {

    /** Size of the fixed header: 348 (NIfTI-1) or 540 (NIfTI-2). */
    int headerSize() {
        return version == 1 ? NiftiHeaders.NIFTI1_SIZE : NiftiHeaders.NIFTI2_SIZE;
    }

    /** Number of axes, {@code dim[0]}. */
    int rank() {
        return (int) dim[0];
    }
}
