package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.util.List;
import org.monailabel.api.image.Volume;

/** Where DICOM series come from: a folder of files, or (later) a PACS. Thread-safe. */
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

    @Override
    default void close() {}
}
