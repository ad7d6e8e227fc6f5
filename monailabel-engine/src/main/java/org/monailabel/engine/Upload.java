package org.monailabel.engine;

import java.nio.file.Path;
import java.util.Objects;
import org.monailabel.engine.datastore.FileExtensions;

/**
 * A file a client sent, already spooled to a private file, handed to {@link MonaiLabel}: the
 * application layer may move it (into an inference's work folder, a session, the datastore), so the
 * caller must not use {@code file} afterwards.
 *
 * @param file the spooled bytes
 * @param clientName the file name the client gave (may be a whole client path); its extension tells
 *     the format
 */
public record Upload(Path file, String clientName) {
    public Upload {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clientName, "clientName");
    }

    /**
     * The last segment of the client's name (a browser or Windows client may send a whole path).
     */
    public String fileName() {
        return FileExtensions.baseName(clientName);
    }

    /**
     * The file name's extension as the datastore reads it ({@code .nii.gz}, {@code .seg.nrrd}, ...;
     * may be empty).
     */
    public String extension() {
        return FileExtensions.extensionOf(fileName());
    }
}
