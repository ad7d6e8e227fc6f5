package org.monailabel.engine.nets;

/** Normalisation after each convolution (MONAI's {@code norm} argument). */
public enum Norm {
    /** BatchNorm3d: batch statistics when training, running statistics in eval. */
    BATCH,
    /** InstanceNorm3d without affine parameters: per-sample, per-channel statistics always. */
    INSTANCE,
    /** No normalisation. */
    NONE
}
