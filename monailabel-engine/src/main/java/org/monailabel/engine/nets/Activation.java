package org.monailabel.engine.nets;

/** The non-linearity after each convolution (MONAI's {@code act} argument). */
public enum Activation {
    /** PReLU with one learned slope, initialised to 0.25 as PyTorch does. */
    PRELU,
    /** ReLU. */
    RELU
}
