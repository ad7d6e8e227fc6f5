/**
 * Image codecs without DJL types: {@link org.monailabel.engine.io.ImageIo} picks NIfTI or NRRD by
 * file name; the codecs live in {@code .nifti} and {@code .nrrd}. Every reader rejects a bad file
 * with an {@link org.monailabel.engine.io.InvalidImageException} before any large allocation.
 */
package org.monailabel.engine.io;
