/**
 * NIfTI-1 and NIfTI-2 codec: {@link org.monailabel.engine.io.nifti.NiftiReader} and {@link
 * org.monailabel.engine.io.nifti.NiftiWriter}. Geometry follows nibabel (sform, then qform, then
 * pixdim), voxels stay in file order with x fastest, and every header is validated before data is
 * allocated.
 */
package org.monailabel.engine.io.nifti;
