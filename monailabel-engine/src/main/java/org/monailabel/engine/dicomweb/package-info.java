/**
 * A DICOMweb (PS3.18) client: {@link org.monailabel.engine.dicomweb.DicomWebClient} searches a PACS
 * with QIDO-RS, retrieves series and instances with WADO-RS (streamed to files, one per part of the
 * {@code multipart/related} answer) and stores instances with STOW-RS; {@link
 * org.monailabel.engine.dicomweb.DicomJson} is the DICOM JSON model its searches and metadata
 * answer in. A PACS that cannot be reached is reported as a {@link
 * org.monailabel.engine.dicomweb.DicomWebUnavailableException} (HTTP 503 with {@code Retry-After}).
 */
package org.monailabel.engine.dicomweb;
