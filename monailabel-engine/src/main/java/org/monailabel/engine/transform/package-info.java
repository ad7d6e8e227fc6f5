/**
 * Spatial transforms as MONAI computes them, on {@link org.monailabel.api.image.Volume}s:
 * orientation to RAS and resampling to a spacing (the intensity window is the model card's, {@link
 * org.monailabel.engine.model.IntensityWindow}). Each is immutable and thread-safe, and can be
 * undone onto the input grid.
 */
package org.monailabel.engine.transform;
