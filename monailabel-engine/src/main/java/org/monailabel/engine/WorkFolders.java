package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The private folders of inferences in flight ({@code <workDir>/infer/<uuid>}). */
final class WorkFolders {
    private static final Logger logger = LoggerFactory.getLogger(WorkFolders.class);

    private WorkFolders() {}

    /** A new empty folder under {@code root}. */
    static Path create(Path root) throws IOException {
        return Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
    }

    /** Deletes a folder and what it holds; already gone is fine, a failure is logged. */
    static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    logger.warn("Could not delete {}: {}", p, e.toString());
                                }
                            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            logger.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** Empties {@code dir} (left-overs of a previous run), keeping the folder. */
    static void clean(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                delete(p);
            }
        }
    }
}
