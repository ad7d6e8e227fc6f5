package org.monailabel.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.engine.datastore.LabelVersion;

/**
 * A label's file to send ({@link Labels#current}, {@link Labels#version}).
 *
 * @param file a local file that belongs to the datastore: read it, never change it
 * @param fileName the stored name, {@code <id><ext>}
 * @param version the version the file is, when the datastore keeps a history (its {@link
 *     LabelVersion#etag} is the download's {@code ETag})
 */
public record LabelFile(Path file, String fileName, Optional<LabelVersion> version) {
    public LabelFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(version, "version");
    }
}
