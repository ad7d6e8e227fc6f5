/**
 * Images in memory: {@link org.monailabel.api.image.Volume} (voxels in file order, x fastest),
 * {@link org.monailabel.api.image.VoxelType} and the RAS millimetre voxel-to-world {@link
 * org.monailabel.api.image.Affine}.
 */
package org.monailabel.api.image;
