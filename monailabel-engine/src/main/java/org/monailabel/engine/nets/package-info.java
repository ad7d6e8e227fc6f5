/**
 * Networks as DJL blocks: a MONAI-style 3-D {@link org.monailabel.engine.nets.UNet} with batch or
 * instance normalisation, PReLU/ReLU and dropout usable at inference for Monte-Carlo uncertainty.
 */
package org.monailabel.engine.nets;
