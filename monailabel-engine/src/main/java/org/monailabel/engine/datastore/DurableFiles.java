package org.monailabel.engine.datastore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file writes: the data goes to a hidden temporary file in the target folder (written,
 * or a file handed over renamed there), is synced, atomically renamed over the target, and the
 * folder is synced. After a crash the target holds either the old or the new content, never a part;
 * a leftover temporary file is hidden and removed by {@link #deleteTemporaryFiles}.
 */
public final class DurableFiles {
    /** Prefix of our temporary files; hidden so that MONAI Label and our scans ignore them. */
    static final String TEMP_PREFIX = ".monailabel-tmp-";

    private static final Logger logger = LoggerFactory.getLogger(DurableFiles.class);

    /**
     * Writes data into a stream; lets {@link #write} take lambdas that throw {@link IOException}.
     */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private DurableFiles() {}

    /**
     * Copies {@code source} to a new, synced temporary file in {@code dir} and returns it; the
     * caller renames it into place (see {@link PersistentIndex.Move}) or deletes it.
     */
    static Path prepare(Path source, Path dir) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try (FileChannel channel =
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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

    /**
     * Renames {@code source} to a new temporary file in {@code dir} and syncs it, as {@link
     * #prepare} would have written it: the caller renames it into place or gives it back with
     * {@link #giveBack}. The file gets the permissions (and group) of a file newly created in
     * {@code dir}, not the ones it had (an upload spooled by {@link Files#createTempFile} is
     * private to its owner). Empty, with {@code source} untouched, if {@code dir} is on another
     * file system or {@code source} is not a regular file (a symbolic link is copied, not moved).
     */
    static Optional<Path> adopt(Path source, Path dir) throws IOException {
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        Files.createFile(temp); // takes the name, and shows which permissions a new file gets here
        Optional<PosixFileAttributes> fresh = posixAttributes(temp);
        try {
            Files.move(
                    source,
                    temp,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            if (fresh.isPresent()) {
                PosixFileAttributeView view =
                        Files.getFileAttributeView(temp, PosixFileAttributeView.class);
                view.setPermissions(fresh.get().permissions());
                try {
                    view.setGroup(fresh.get().group());
                } catch (IOException e) {
                    logger.debug(
                            "Cannot give {} the group of its folder: {}",
                            temp.getFileName(),
                            e.toString());
                }
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true); // the uploader need not have synced it
            }
        } catch (IOException | RuntimeException e) {
            giveBack(temp, source);
            throw e;
        }
        syncDirectory(dir); // as in prepare: journal replay must find the name after a power loss
        return Optional.of(temp);
    }

    /**
     * Undoes {@link #adopt} if its temporary file is still there (it was not renamed into place):
     * renames it back to {@code source}, or deletes it if that is impossible.
     */
    static void giveBack(Path temp, Path source) throws IOException {
        if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(temp, source, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
        } catch (IOException e) {
            logger.warn("Cannot give {} back to {}: {}", temp.getFileName(), source, e.toString());
        }
        Files.deleteIfExists(temp);
    }

    private static Optional<PosixFileAttributes> posixAttributes(Path file) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(file, PosixFileAttributeView.class);
        return view == null ? Optional.empty() : Optional.of(view.readAttributes());
    }

    /** Writes {@code target} durably (see the class comment). */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.getParent();
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel channel =
                            FileChannel.open(
                                    temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(
                    temp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
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
            // Some platforms (Windows) cannot open a directory; the rename is then as durable as it
            // gets.
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
                logger.info(
                        "Removing temporary file {} left by an earlier crash", file.getFileName());
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // nothing to clean
        } catch (IOException | UncheckedIOException e) {
            logger.warn("Cannot clean temporary files in {}: {}", dir, e.toString());
        }
    }
}
