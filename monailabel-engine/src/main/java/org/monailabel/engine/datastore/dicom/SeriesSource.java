package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.monailabel.api.image.Volume;

/**
 * Where DICOM series come from: a folder of files, or a PACS. Thread-safe.
 *
 * <p>A source that cannot be reached for now (a PACS that is down) throws a {@link
 * org.monailabel.api.error.BusyException} (HTTP 503 with {@code Retry-After}); a {@link
 * SeriesDatastore} then keeps serving what it has cached.
 */
public interface SeriesSource extends AutoCloseable {
    /** What the source is, for log lines and errors (a folder, a URL without credentials). */
    String describe();

    /**
     * The image series the source holds now (segmentations, structured reports and other non-image
     * objects excluded), in a stable order.
     */
    List<SeriesRef> list() throws IOException;

    /**
     * Reads one series as a volume.
     *
     * @throws org.monailabel.engine.io.InvalidImageException if its instances do not form one
     *     volume (the message says why)
     */
    Volume read(SeriesRef series) throws IOException;

    /** Whether {@link #storeLabel} stores final labels back in the source. */
    default boolean storesLabels() {
        return false;
    }

    /**
     * Stores a final label of a series back in the source (a PACS keeps it as a DICOM SEG in the
     * series' study). Called after the label is saved locally, and called again later when it
     * throws, until it succeeds.
     *
     * @param label the label volume file, on the series' grid
     * @param info the label's info (label names under {@code label_names} or {@code label_info})
     * @return what to record of the stored copy (e.g. the SEG's SeriesInstanceUID), JSON-like
     */
    default Map<String, Object> storeLabel(SeriesRef series, Path label, Map<String, Object> info)
            throws IOException {
        throw new UnsupportedOperationException(describe() + " does not store labels");
    }

    @Override
    default void close() {}
}
