package org.monailabel.engine.datastore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file writes: the data goes to a hidden temporary file in the target folder, is synced,
 * atomically renamed over the target, and the folder is synced. After a crash the target holds
 * either the old or the new content, never a part; a leftover temporary file is hidden and
 * removed by {@link #deleteTemporaryFiles}.
 */
final class DurableFiles {
    /** Prefix of our temporary files; hidden so that MONAI Label and our scans ignore them. */
    static final String TEMP_PREFIX = ".monailabel-tmp-";

    private static final Logger logger = LoggerFactory.getLogger(DurableFiles.class);

    /** Writes data into a stream; lets {@link #write} take lambdas that throw {@link IOException}. */
    @FunctionalInterface
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private DurableFiles() {}

    /**
     * Copies {@code source} to a new, synced temporary file in {@code dir} and returns it; the
     * caller renames it into place (see {@link PersistentIndex.Move}) or deletes it.
     */
    static Path prepare(Path source, Path dir) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = in.size();
                long done = 0;
                while (done < size) {
                    done += in.transferTo(done, size - done, channel);
                }
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(dir); // the name too: after a power loss, journal replay must still find it
        return temp;
    }

    /** Writes {@code target} durably (see the class comment). */
    static void write(Path target, Writer writer) throws IOException {
        Path dir = target.getParent();
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(dir);
    }

    /** Deletes a file and syncs its folder; false if there was no file. */
    static boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            syncDirectory(file.getParent());
        }
        return deleted;
    }

    /** Makes renames, creations and deletions in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename is then as durable as it gets.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    /** Creates {@code dir} (and parents) and syncs its parent if it was new. */
    static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            syncDirectory(dir.getParent());
        }
    }

    /** Removes temporary files left behind by a crash. */
    static void deleteTemporaryFiles(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path file : files) {
                logger.info("Removing temporary file {} left by an earlier crash", file.getFileName());
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // nothing to clean
        } catch (IOException | UncheckedIOException e) {
            logger.warn("Cannot clean temporary files in {}: {}", dir, e.toString());
        }
    }
}
