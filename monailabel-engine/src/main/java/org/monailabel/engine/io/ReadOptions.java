package org.monailabel.engine.io;

/**
 * Limits applied while reading an image. Thread-safe (immutable).
 *
 * @param maxVoxelBytes the largest amount of voxel data (bytes, after decompression) a reader
 *     allocates; a header promising more is rejected with an {@link InvalidImageException} before
 *     any allocation. At most {@link #DEFAULT_MAX_VOXEL_BYTES}, the limit of one {@code
 *     ByteBuffer}.
 */
public record ReadOptions(long maxVoxelBytes) {
    /** The largest array the JVM can allocate: a little under 2 GiB. */
    public static final long DEFAULT_MAX_VOXEL_BYTES = Integer.MAX_VALUE - 8;

    public ReadOptions {
        if (maxVoxelBytes < 1 || maxVoxelBytes > DEFAULT_MAX_VOXEL_BYTES) {
            throw new IllegalArgumentException(
                    "maxVoxelBytes must be in [1, "
                            + DEFAULT_MAX_VOXEL_BYTES
                            + "], got "
                            + maxVoxelBytes);
        }
    }

    /** The default limits: up to 2 GiB of voxel data. */
    public static ReadOptions defaults() {
        return new ReadOptions(DEFAULT_MAX_VOXEL_BYTES);
    }
}
