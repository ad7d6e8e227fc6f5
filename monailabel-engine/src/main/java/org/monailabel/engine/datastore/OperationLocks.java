package org.monailabel.engine.datastore;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serialises the file operations of the datastore: an operation holds the shared side of one
 * read-write lock plus the striped locks of the keys it touches (its image id and the file name it
 * writes), so operations on different images copy files in parallel while two operations on the
 * same image or file name take turns. A reconcile holds the exclusive side and therefore never sees
 * a half-done operation.
 */
final class OperationLocks {
    private static final int STRIPES = 64;

    private final ReentrantReadWriteLock files = new ReentrantReadWriteLock();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    OperationLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Held while an operation runs; closing it releases every lock. */
    interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Locks for an operation touching {@code keys}; stripes are taken in index order (no deadlock).
     */
    Guard operation(String... keys) {
        int[] indexes =
                Arrays.stream(keys)
                        .mapToInt(key -> Math.floorMod(key.hashCode() * 0x9E3779B1, STRIPES))
                        .distinct()
                        .sorted()
                        .toArray();
        files.readLock().lock();
        int locked = 0;
        try {
            for (int index : indexes) {
                stripes[index].lock();
                locked++;
            }
        } catch (RuntimeException | Error e) {
            release(indexes, locked);
            throw e;
        }
        int count = locked;
        return () -> release(indexes, count);
    }

    private void release(int[] indexes, int count) {
        for (int i = count - 1; i >= 0; i--) {
            stripes[indexes[i]].unlock();
        }
        files.readLock().unlock();
    }

    /** The exclusive lock: no operation runs while it is held. */
    Guard exclusive() {
        files.writeLock().lock();
        return () -> files.writeLock().unlock();
    }
}
