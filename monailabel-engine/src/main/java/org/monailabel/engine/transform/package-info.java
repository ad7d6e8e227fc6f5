/**
 * Image transforms as MONAI computes them, on {@link org.monailabel.api.image.Volume}s: orientation
 * to RAS, resampling to a spacing, intensity scaling. Each is immutable and thread-safe, and every
 * spatial one can be undone onto the input grid.
 */
package org.monailabel.engine.transform;
