/**
 * Interactive segmentation (MONAI Label's DeepGrow and DeepEdit): clicks from the client turned
 * into Gaussian guidance channels, a crop around the clicks pasted back exactly onto the input grid
 * (DeepGrow) or the whole resampled volume (DeepEdit), a bounded cache of pre-processed images so
 * that a click costs one network pass, and a trainer that simulates a user clicking into the errors
 * of the current prediction.
 */
package org.monailabel.engine.interactive;
