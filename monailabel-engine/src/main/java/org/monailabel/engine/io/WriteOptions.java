package org.monailabel.engine.io;

/**
 * How to write an image. Thread-safe (immutable); change one setting with the {@code with*}
 * methods: {@code WriteOptions.defaults().withGzipLevel(6)}.
 *
 * @param gzipLevel deflate level 0..9 for {@code .nii.gz} and gzip-encoded NRRD
 * @param threads compression threads (1 = compress on the caller's thread); blocks are compressed
 *     independently and joined into one gzip member, so any gzip reader accepts the result
 * @param niftiVersion 1 or 2; NIfTI-1 files switch to NIfTI-2 when a dimension exceeds 32767
 * @param nrrdGzip whether {@code .nrrd} data is gzip-encoded (else raw)
 */
public record WriteOptions(int gzipLevel, int threads, int niftiVersion, boolean nrrdGzip) {
    public WriteOptions {
        if (gzipLevel < 0 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzipLevel must be 0..9, got " + gzipLevel);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (niftiVersion != 1 && niftiVersion != 2) {
            throw new IllegalArgumentException("niftiVersion must be 1 or 2, got " + niftiVersion);
        }
    }

    /** Gzip level 1 on all processors, NIfTI-1, gzip-encoded NRRD. */
    public static WriteOptions defaults() {
        return new WriteOptions(1, Runtime.getRuntime().availableProcessors(), 1, true);
    }

    public WriteOptions withGzipLevel(int level) {
        return new WriteOptions(level, threads, niftiVersion, nrrdGzip);
    }

    public WriteOptions withThreads(int count) {
        return new WriteOptions(gzipLevel, count, niftiVersion, nrrdGzip);
    }

    public WriteOptions withNiftiVersion(int version) {
        return new WriteOptions(gzipLevel, threads, version, nrrdGzip);
    }

    public WriteOptions withNrrdGzip(boolean gzip) {
        return new WriteOptions(gzipLevel, threads, niftiVersion, gzip);
    }
}
