package org.monailabel.engine.inferer;

/** How overlapping windows are weighted when merged (MONAI's {@code BlendMode}). */
public enum BlendMode {
    /** Every voxel of a window counts equally. */
    CONSTANT,
    /**
     * Voxels near a window's centre count more: a separable Gaussian of sigma {@code scale * roi}.
     */
    GAUSSIAN
}
