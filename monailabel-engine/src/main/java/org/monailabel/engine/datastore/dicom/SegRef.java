package org.monailabel.engine.datastore.dicom;

import java.util.Map;
import java.util.Objects;

/**
 * One DICOM SEG instance in a PACS that segments an image series ({@link
 * DicomWebSource#segmentations}).
 *
 * @param studyUid the SEG's StudyInstanceUID
 * @param seriesUid the SEG's SeriesInstanceUID
 * @param sopInstanceUid the SEG instance's SOPInstanceUID
 * @param referencedSeriesUid the image series its ReferencedSeriesSequence (0008,1115) names
 * @param info what the metadata says of it (JSON-like: {@code series_description}, {@code
 *     content_label}, {@code content_date}, {@code instance_number}, {@code segments})
 */
public record SegRef(
        String studyUid,
        String seriesUid,
        String sopInstanceUid,
        String referencedSeriesUid,
        Map<String, Object> info) {
    public SegRef {
        Objects.requireNonNull(studyUid, "studyUid");
        Objects.requireNonNull(seriesUid, "seriesUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(referencedSeriesUid, "referencedSeriesUid");
        info = Map.copyOf(info);
    }
}
