/**
 * DICOM Part 10 reading and writing, written from the standard (PS3.5 data structures and encoding,
 * PS3.10 file format, PS3.3 for the Segmentation IOD): {@link
 * org.monailabel.engine.io.dicom.DicomParser} parses a file into a {@link
 * org.monailabel.engine.io.dicom.DicomFile} (implicit and explicit VR little endian, and deflated
 * explicit VR little endian), {@link org.monailabel.engine.io.dicom.DicomDataset} gives typed
 * access to attributes and {@link org.monailabel.engine.io.dicom.DicomPixels} decodes the native
 * (uncompressed) grayscale pixel data of one instance; {@link
 * org.monailabel.engine.io.dicom.DicomSeries} assembles a series into a volume. {@link
 * org.monailabel.engine.io.dicom.DicomWriter} writes explicit VR little endian files, {@link
 * org.monailabel.engine.io.dicom.DicomSegWriter} and {@link
 * org.monailabel.engine.io.dicom.DicomSegReader} write and read DICOM Segmentations on the grid of
 * their source series ({@link org.monailabel.engine.io.dicom.ReferencedSeries}). Every length and
 * count in a file is checked against the bytes that are actually there before it is used.
 */
package org.monailabel.engine.io.dicom;
