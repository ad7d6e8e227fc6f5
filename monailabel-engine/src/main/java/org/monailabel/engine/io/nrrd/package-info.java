/**
 * NRRD codec: {@link org.monailabel.engine.io.nrrd.NrrdReader} (attached and detached data, raw and
 * gzip, RAS/LAS/LPS spaces, Slicer {@code .seg.nrrd} segmentations) and {@link
 * org.monailabel.engine.io.nrrd.NrrdWriter}. World coordinates are converted to RAS.
 */
package org.monailabel.engine.io.nrrd;
