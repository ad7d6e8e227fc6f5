package org.monailabel.engine.datastore.dicom;

import java.util.Map;
import java.util.Objects;

/**
 * One series a {@link SeriesSource} offers.
 *
 * @param seriesUid its {@code SeriesInstanceUID}, the image id
 * @param fingerprint changes whenever the series' instances change (added, removed, rewritten), so
 *     that a converted copy can be recognised as stale
 * @param info what is known of the series without reading its pixels (JSON-like values), shown as
 *     the image's {@code dicom} info
 */
public record SeriesRef(String seriesUid, String fingerprint, Map<String, Object> info) {
    public SeriesRef {
        Objects.requireNonNull(seriesUid, "seriesUid");
        Objects.requireNonNull(fingerprint, "fingerprint");
        info = Map.copyOf(info);
    }
}
