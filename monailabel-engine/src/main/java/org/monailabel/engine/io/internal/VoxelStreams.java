package org.monailabel.engine.io.internal;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;

/**
 * Stream helpers shared by the codecs: bounded sizes, reading voxel data straight into its final
 * buffer, and writing a volume's data in a chosen byte order. Stateless and thread-safe.
 */
public final class VoxelStreams {
    /** Deflate cannot expand data by more than about 1032:1; used to spot gzip bombs up front. */
    public static final long MAX_DEFLATE_RATIO = 1032;

    /**
     * Reads and writes move at most this many bytes per call, so the JDK never needs a large
     * temporary direct buffer for a heap array.
     */
    private static final int CHUNK = 1 << 20;

    private static final int GZIP_BUFFER = 64 * 1024;

    private VoxelStreams() {}

    /**
     * The number of bytes of {@code sizes[0] * ... * bytesPerVoxel}, checked against the cap
     * without overflow.
     *
     * @throws InvalidImageException if a size is below 1 or the product exceeds {@code maxBytes}
     */
    public static long voxelBytes(long[] sizes, int bytesPerVoxel, long maxBytes, String format)
            throws InvalidImageException {
        long bytes = bytesPerVoxel;
        for (long size : sizes) {
            if (size < 1) {
                throw new InvalidImageException(format + " header has an axis of size " + size);
            }
            if (size > maxBytes / bytes) {
                throw new InvalidImageException(
                        format
                                + " header declares "
                                + describe(sizes)
                                + " voxels of "
                                + bytesPerVoxel
                                + " bytes, more than the limit of "
                                + maxBytes
                                + " bytes of voxel data");
            }
            bytes *= size;
        }
        return bytes;
    }

    private static String describe(long[] sizes) {
        StringBuilder sb = new StringBuilder();
        for (long s : sizes) {
            sb.append(sb.length() == 0 ? "" : "x").append(s);
        }
        return sb.toString();
    }

    /**
     * Checks that a stream of {@code available} bytes can hold {@code skip + needed} bytes (after
     * decompression if {@code gzipped}), before anything is allocated. Sums saturate, so huge
     * header values cannot overflow past the check.
     *
     * @param available bytes in the stream, or -1 if unknown (then only reading will tell)
     */
    public static void checkAvailable(
            long skip, long needed, long available, boolean gzipped, String format)
            throws InvalidImageException {
        if (available < 0) {
            return;
        }
        long total = skip + needed < 0 ? Long.MAX_VALUE : skip + needed;
        long limit = gzipped ? saturatedMultiply(available, MAX_DEFLATE_RATIO) : available;
        if (total > limit) {
            throw new InvalidImageException(
                    format
                            + " header promises "
                            + total
                            + " bytes but the "
                            + (gzipped ? "compressed " : "")
                            + "file holds only "
                            + available
                            + (gzipped ? " (cannot inflate to that size)" : ""));
        }
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /**
     * A gzip stream over {@code in}, with a corrupt gzip header reported as an invalid image.
     * Closing it frees the inflater but leaves {@code in} open.
     */
    public static InputStream gunzip(InputStream in) throws IOException {
        InputStream keepOpen =
                new FilterInputStream(in) {
                    @Override
                    public void close() {
                        // the caller owns the underlying stream
                    }
                };
        try {
            return new GZIPInputStream(keepOpen, GZIP_BUFFER);
        } catch (ZipException | EOFException e) {
            throw new InvalidImageException("Corrupt gzip stream: " + reason(e), e);
        }
    }

    /**
     * Reads exactly {@code n} bytes into {@code dst} from {@code offset}, in chunks.
     *
     * @throws InvalidImageException if the stream ends early or its compression is corrupt
     */
    public static void readFully(InputStream in, byte[] dst, int offset, int n, String what)
            throws IOException {
        int done = 0;
        try {
            while (done < n) {
                int r = in.read(dst, offset + done, Math.min(CHUNK, n - done));
                if (r < 0) {
                    throw new InvalidImageException(
                            what + " ends after " + done + " of " + n + " bytes");
                }
                done += r;
            }
        } catch (ZipException | EOFException e) {
            throw new InvalidImageException(
                    "Corrupt gzip data in " + what + " after " + done + " bytes: " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() != null
                ? e.getMessage()
                : e instanceof EOFException ? "unexpected end" : "corrupt";
    }

    /** Reads exactly {@code n} bytes into a new heap buffer with the given byte order. */
    public static ByteBuffer readVoxels(InputStream in, long n, ByteOrder order, String what)
            throws IOException {
        if (n > ReadOptions.DEFAULT_MAX_VOXEL_BYTES) {
            throw new InvalidImageException(
                    what + " of " + n + " bytes exceeds a buffer's 2 GiB limit");
        }
        byte[] data = new byte[(int) n];
        readFully(in, data, 0, data.length, what);
        return ByteBuffer.wrap(data).order(order);
    }

    /** Skips exactly {@code n} bytes. */
    public static void skipFully(InputStream in, long n, String what) throws IOException {
        long left = n;
        byte[] scratch = null;
        try {
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (scratch == null) {
                        scratch = new byte[(int) Math.min(CHUNK, Math.max(left, 1))];
                    }
                    int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                    if (r < 0) {
                        throw new InvalidImageException(
                                what + " ends " + left + " bytes before its data");
                    }
                    s = r;
                }
                left -= s;
            }
        } catch (ZipException | EOFException e) {
            throw new InvalidImageException("Corrupt gzip data in " + what + ": " + reason(e), e);
        }
    }

    /** Writes all of a volume's voxel data in the given byte order, without copying it whole. */
    public static void writeData(Volume volume, OutputStream out, ByteOrder order)
            throws IOException {
        ByteBuffer data = volume.data();
        int size = volume.type().bytes();
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(data.remaining(), 1))];
        boolean swap = size > 1 && data.order() != order;
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            if (swap) {
                swapBytes(chunk, n, size);
            }
            out.write(chunk, 0, n);
        }
    }

    private static void swapBytes(byte[] b, int n, int size) {
        for (int i = 0; i < n; i += size) {
            for (int lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
                byte t = b[lo];
                b[lo] = b[hi];
                b[hi] = t;
            }
        }
    }
}
