/**
 * DICOM series as datastore images: {@link org.monailabel.engine.datastore.dicom.SeriesDatastore}
 * serves each series of a {@link org.monailabel.engine.datastore.dicom.SeriesSource} (a folder of
 * DICOM files, {@link org.monailabel.engine.datastore.dicom.DicomFolderSource}, or a PACS through
 * DICOMweb, {@link org.monailabel.engine.datastore.dicom.DicomWebSource}) as an image whose id is
 * its {@code SeriesInstanceUID}, converted once to a NIfTI volume in a cache that also keeps its
 * labels and info.
 */
package org.monailabel.engine.datastore.dicom;
