/**
 * Image codecs without DJL types. {@link org.monailabel.engine.io.ImageIo} picks the codec by file
 * name ({@code .nii}, {@code .nii.gz}, {@code .nrrd}, {@code .seg.nrrd}, {@code .nhdr}); the codecs
 * live in {@code .nifti} and {@code .nrrd}. DICOM reading ({@code .dicom}: Part 10 parsing, pixels
 * of one instance, a series assembled into a volume) is not behind {@code ImageIo} yet, as a series
 * is several files.
 *
 * <p>Every volume keeps the file's voxel order (x fastest) and, where possible, the decoded buffer
 * itself in the file's byte order; the affine is voxel-to-world in RAS mm.
 *
 * <p>Trust: every reader validates the header (magic, axes, sizes, types, offsets, geometry) and
 * checks that the file can hold the promised data (for gzip: at most 1032:1 inflation) before it
 * allocates; the voxel cap is {@link org.monailabel.engine.io.ReadOptions#maxVoxelBytes()}. Any bad
 * file ends in an {@link org.monailabel.engine.io.InvalidImageException}; other {@code
 * IOException}s mean the file system failed.
 *
 * <p>Metadata keys: {@code format} ({@code nifti1}, {@code nifti2}, {@code nrrd}); NIfTI: {@code
 * nifti.*} header fields; NRRD: {@code nrrd.space}, {@code nrrd.keyvalues}; Slicer segmentations:
 * {@code labels} (name to value) and {@code segments} (see {@link
 * org.monailabel.engine.io.nrrd.SlicerSegments}). Writers read {@code labels} for {@code
 * .seg.nrrd}.
 *
 * <p>Known differences from nibabel: metres and micrometres in {@code xyzt_units} are converted to
 * mm; {@code vox_offset} 0 is rejected; scaled data is float32 for raw types up to 16 bits (values
 * equal {@code get_fdata()} rounded to float32) and float64 otherwise.
 */
package org.monailabel.engine.io;
