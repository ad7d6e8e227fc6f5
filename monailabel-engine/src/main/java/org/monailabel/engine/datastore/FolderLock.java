package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.monailabel.api.error.ConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive lock on {@code <studies>/.lock} that keeps a second datastore (in this or another
 * process) off the folder. The lock file stays, like upstream's.
 */
final class FolderLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    private static final Logger logger = LoggerFactory.getLogger(FolderLock.class);

    private final Optional<FileChannel> channel;

    private FolderLock(Optional<FileChannel> channel) {
        this.channel = channel;
    }

    /** No lock (read-only mode). */
    static FolderLock none() {
        return new FolderLock(Optional.empty());
    }

    /**
     * Locks the folder.
     *
     * @throws ConflictException if the folder is already locked
     */
    static FolderLock acquire(Path studies) throws IOException {
        FileChannel channel =
                FileChannel.open(
                        studies.resolve(FILE_NAME),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new ConflictException(
                    "The datastore folder "
                            + studies
                            + " is already in use by another datastore (another server process?)");
        }
        return new FolderLock(Optional.of(channel));
    }

    /** Releases the lock (closing the channel does). */
    @Override
    public void close() {
        channel.ifPresent(
                open -> {
                    try {
                        open.close();
                    } catch (IOException e) {
                        logger.warn("Releasing the datastore folder lock failed: {}", e.toString());
                    }
                });
    }
}
