package org.monailabel.engine.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private copies of an app's jars, loaded instead of the originals so that an operator can replace
 * or delete a jar in the apps folder while its old version still serves requests (and, on Windows,
 * so that the open jar does not lock the original). One folder per load, deleted when the app's
 * class loader is closed.
 */
final class ShadowCopy {
    private static final Logger logger = LoggerFactory.getLogger(ShadowCopy.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path dir;
    private final List<Path> jars;

    private ShadowCopy(Path dir, List<Path> jars) {
        this.dir = dir;
        this.jars = List.copyOf(jars);
    }

    /** Copies {@code jars} into a new folder {@code <root>/<app>-<n>-<random>}. */
    static ShadowCopy create(Path root, String appName, List<Path> jars) throws IOException {
        Files.createDirectories(root);
        Path dir =
                Files.createTempDirectory(root, appName + "-" + SEQUENCE.incrementAndGet() + "-");
        List<Path> copies = new ArrayList<>(jars.size());
        try {
            for (Path jar : jars) {
                Path copy = dir.resolve(jar.getFileName().toString());
                Files.copy(jar, copy, StandardCopyOption.COPY_ATTRIBUTES);
                copies.add(copy);
            }
        } catch (IOException e) {
            deleteTree(dir);
            throw e;
        }
        return new ShadowCopy(dir, copies);
    }

    /**
     * Deletes what a previous run left in {@code root} (a crash skips the normal clean-up); the
     * work folder belongs to one registry at a time.
     */
    static void deleteLeftovers(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> leftovers = Files.list(root)) {
            for (Path dir : leftovers.toList()) {
                logger.info("Deleting shadow copies left by a previous run: {}", dir.getFileName());
                deleteTree(dir);
            }
        } catch (IOException | UncheckedIOException e) {
            logger.warn("Could not delete old shadow copies in {}: {}", root, e.toString());
        }
    }

    /** The copies, in the order of the originals. */
    List<Path> jars() {
        return jars;
    }

    /** Deletes the folder; a failure is logged (the files are only garbage then). */
    void delete() {
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            logger.warn("Could not delete shadow copies in {}: {}", dir, e.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(
                root,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }
}
