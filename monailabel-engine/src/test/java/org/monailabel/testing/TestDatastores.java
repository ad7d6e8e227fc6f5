package org.monailabel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.monailabel.engine.datastore.LocalDatastore;

/**
 * Real datastores for tests: a {@link LocalDatastore} on a folder (without the folder watcher,
 * which tests of the datastore itself exercise). Close it when done.
 */
public final class TestDatastores {
    private TestDatastores() {}

    /** An empty datastore in {@code dir}. */
    public static LocalDatastore create(Path dir) throws IOException {
        return LocalDatastore.open(
                Files.createDirectories(dir), LocalDatastore.Options.defaults().withWatch(false));
    }

    /**
     * A datastore with tiny stand-in image files {@code <id>.nii.gz} (not real NIfTI) for these
     * ids; its content check is off, so that more such files can be added.
     */
    public static LocalDatastore withImages(Path dir, String... imageIds) throws IOException {
        LocalDatastore datastore =
                LocalDatastore.open(
                        Files.createDirectories(dir),
                        LocalDatastore.Options.defaults().withWatch(false).withContentCheck(false));
        Path source = Files.createTempFile("test-image-", ".nii.gz");
        try {
            Files.writeString(source, "stand-in image bytes");
            for (String id : imageIds) {
                datastore.addImage(id, source, id + ".nii.gz", Map.of());
            }
        } finally {
            Files.deleteIfExists(source);
        }
        return datastore;
    }
}
