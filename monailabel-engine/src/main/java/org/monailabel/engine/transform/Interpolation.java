package org.monailabel.engine.transform;

/** How a resampled voxel takes its value from the source grid. */
public enum Interpolation {
    /** Trilinear: MONAI's {@code bilinear} mode, for images. */
    LINEAR,
    /** The nearest voxel (ties to even, as PyTorch's {@code grid_sample}): for label maps. */
    NEAREST
}
