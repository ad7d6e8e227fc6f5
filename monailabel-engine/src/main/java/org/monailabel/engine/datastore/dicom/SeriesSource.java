package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * @param imageInfo the series' image info as the datastore keeps it (what {@link #read} put in
     *     the volume's metadata under {@code dicom.referenced_series} is there, under {@code
     *     dicom})
     * @param label the label volume file, on the series' grid
     * @param labelInfo the label's info (label names under {@code label_names})
     * @return what to record of the stored copy (e.g. the SEG's SeriesInstanceUID), JSON-like
     */
    default Map<String, Object> storeLabel(
            SeriesRef series,
            Map<String, Object> imageInfo,
            Path label,
            Map<String, Object> labelInfo)
            throws IOException {
        throw new UnsupportedOperationException(describe() + " does not store labels");
    }

    /**
     * A label the source itself holds for a series (a PACS: the newest SEG that references it),
     * written as a volume file on the image's grid into {@code dir}; empty when it has none. A
     * source that knows which series have labels says so in {@link SeriesRef#info()} under {@value
     * #LABELS_KEY} (a non-empty list), without reading them.
     */
    default Optional<SourceLabel> readLabel(SeriesRef series, Volume image, Path dir)
            throws IOException {
        return Optional.empty();
    }

    /** The {@link SeriesRef#info()} key listing the labels a source holds for a series. */
    String LABELS_KEY = "segmentations";

    /**
     * A label read from the source.
     *
     * @param file a volume file on the image's grid
     * @param info its label info (label names under {@code label_names}, where it came from)
     */
    record SourceLabel(Path file, Map<String, Object> info) {
        public SourceLabel {
            info = Map.copyOf(info);
        }
    }

    @Override
    default void close() {}
}
