package org.monailabel.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip writer that deflates fixed-size blocks on several threads, like {@code pigz}. Each block
 * is a raw deflate stream primed with the previous block's last 32 KiB as dictionary and ended with
 * a sync flush (the last one with a final block), so the blocks concatenate into a single valid
 * gzip member that any gzip reader (zlib, Python's {@code gzip}, nibabel, ITK) accepts. The CRC is
 * computed on the caller's thread as data arrives. With one thread everything runs on the caller's
 * thread. Not thread-safe; closing closes the underlying stream.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    private static final int BLOCK = 1 << 20;
    private static final int DICTIONARY = 32 * 1024;
    private static final AtomicInteger POOL_COUNT = new AtomicInteger();

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK];
    private int filled;
    private byte[] previous;
    private long total;
    private boolean closed;

    /**
     * @param out where the gzip stream goes (closed by {@link #close()})
     * @param level deflate level 0..9
     * @param threads compression threads, at least 1
     */
    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        if (level < 0 || level > 9 || threads < 1) {
            throw new IllegalArgumentException(
                    "Bad gzip level " + level + " or threads " + threads);
        }
        // magic, CM = deflate, no flags, no mtime, XFL 0, OS = 255 (unknown); before the pool
        // exists
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        this.out = out;
        this.level = level;
        this.pool =
                threads == 1
                        ? null
                        : Executors.newFixedThreadPool(
                                threads,
                                r -> {
                                    Thread t =
                                            new Thread(r, "gzip-" + POOL_COUNT.incrementAndGet());
                                    t.setDaemon(true);
                                    return t;
                                });
        this.maxInFlight = 2 * threads;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("Stream closed");
        }
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK) {
                submit(false);
            }
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = filled == block.length ? block : Arrays.copyOf(block, filled);
        byte[] dictionary = previous;
        if (pool == null) {
            writeBlock(compress(input, dictionary, level, last));
        } else {
            inFlight.add(pool.submit(() -> compress(input, dictionary, level, last)));
            while (inFlight.size() >= maxInFlight || (last && !inFlight.isEmpty())) {
                writeBlock(await(inFlight.poll()));
            }
        }
        previous = input;
        block = last ? block : new byte[BLOCK];
        filled = 0;
    }

    private static byte[] await(Future<byte[]> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("Compression failed", e.getCause());
        }
    }

    private void writeBlock(byte[] compressed) throws IOException {
        out.write(compressed);
    }

    private static byte[] compress(byte[] input, byte[] dictionary, int level, boolean last) {
        Deflater deflater = new Deflater(level, true);
        try {
            if (dictionary != null && level > 0) {
                int n = Math.min(DICTIONARY, dictionary.length);
                deflater.setDictionary(dictionary, dictionary.length - n, n);
            }
            deflater.setInput(input);
            if (last) {
                deflater.finish();
            }
            ByteArrayOutputStream result = new ByteArrayOutputStream(input.length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            int mode = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
            while (true) {
                int n = deflater.deflate(buf, 0, buf.length, mode);
                result.write(buf, 0, n);
                if (last ? deflater.finished() : n < buf.length && deflater.needsInput()) {
                    return result.toByteArray();
                }
            }
        } finally {
            deflater.end();
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            byte[] trailer = new byte[8];
            putIntLe(trailer, 0, (int) crc.getValue());
            putIntLe(trailer, 4, (int) total);
            out.write(trailer);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            out.close();
        }
    }

    private static void putIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
