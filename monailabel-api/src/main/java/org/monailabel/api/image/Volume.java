package org.monailabel.api.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A 3-D image, optionally with a fourth axis (channels or time), in file order: {@code x} varies
 * fastest, then {@code y}, {@code z}, and the fourth axis slowest. A 2-D image is a volume with
 * {@code z = 1}. World geometry is a voxel-to-world {@link Affine} in RAS millimetres.
 *
 * <p>The voxels live in one {@link ByteBuffer} (heap or direct, either byte order), so a codec can
 * hand over the buffer it decoded into without a copy; a volume therefore holds at most 2 GiB of
 * voxel data. A volume is immutable by convention: it may be shared between threads, and nobody
 * writes into a volume's buffer after it has been handed to another component. Metadata is a free
 * map of JSON-like values (strings, numbers, booleans, lists, maps).
 *
 * <pre>{@code
 * Volume ct = Volume.allocate(VoxelType.INT16, Affine.diagonal(0.8, 0.8, 2.5), 512, 512, 120);
 * ct.set(ct.index(10, 20, 3), -1000);
 * double hu = ct.get(10, 20, 3);
 * }</pre>
 */
public final class Volume {
    private final VoxelType type;
    private final int[] shape;
    private final ByteBuffer data;
    private final Affine affine;
    private final Map<String, Object> metadata;

    private Volume(
            VoxelType type,
            int[] shape,
            ByteBuffer data,
            Affine affine,
            Map<String, Object> metadata) {
        this.type = type;
        this.shape = shape;
        this.data = data;
        this.affine = affine;
        this.metadata = metadata;
    }

    /**
     * Wraps existing voxel data without copying it: the buffer's remaining bytes, which must be
     * exactly {@code voxelCount * type.bytes()}, are used in the buffer's byte order.
     *
     * @param shape {@code (x, y, z)} or {@code (x, y, z, c)}, each at least 1
     * @throws IllegalArgumentException for a bad shape or a buffer of the wrong size
     */
    public static Volume of(
            VoxelType type,
            int[] shape,
            ByteBuffer data,
            Affine affine,
            Map<String, Object> metadata) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(affine, "affine");
        Objects.requireNonNull(metadata, "metadata");
        int[] s = checkShape(shape);
        long bytes = count(s) * type.bytes();
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException(
                    "Volume "
                            + Arrays.toString(s)
                            + " of "
                            + type
                            + " needs "
                            + bytes
                            + " bytes, buffer has "
                            + data.remaining());
        }
        ByteBuffer view = data.slice().order(data.order());
        return new Volume(
                type, s, view, affine, Collections.unmodifiableMap(new LinkedHashMap<>(metadata)));
    }

    /** A zero-filled volume in a little-endian heap buffer, with no metadata. */
    public static Volume allocate(VoxelType type, Affine affine, int... shape) {
        int[] s = checkShape(shape);
        long bytes = count(s) * type.bytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Volume "
                            + Arrays.toString(s)
                            + " of "
                            + type
                            + " exceeds 2 GiB ("
                            + bytes
                            + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new Volume(type, s, buffer, affine, Map.of());
    }

    private static int[] checkShape(int[] shape) {
        Objects.requireNonNull(shape, "shape");
        if (shape.length != 3 && shape.length != 4) {
            throw new IllegalArgumentException("A volume has 3 or 4 axes, got " + shape.length);
        }
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(
                        "Volume axes must be at least 1: " + Arrays.toString(shape));
            }
        }
        if (count(shape) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Volume " + Arrays.toString(shape) + " has too many voxels");
        }
        return shape.clone();
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public VoxelType type() {
        return type;
    }

    /** The shape, {@code (x, y, z)} or {@code (x, y, z, c)} (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    public int sizeX() {
        return shape[0];
    }

    public int sizeY() {
        return shape[1];
    }

    public int sizeZ() {
        return shape[2];
    }

    /** The size of the fourth axis (channels or time), 1 for a plain 3-D volume. */
    public int channels() {
        return shape.length == 4 ? shape[3] : 1;
    }

    /** Number of voxels over all axes. */
    public long voxelCount() {
        return count(shape);
    }

    /** Number of bytes of voxel data. */
    public long byteCount() {
        return voxelCount() * type.bytes();
    }

    /**
     * A view of the voxel data (no copy) from position 0, in the data's byte order. Do not write
     * through it unless this volume is yours and nobody else has seen it yet.
     */
    public ByteBuffer data() {
        return data.duplicate().order(data.order());
    }

    /** Voxel-to-world transform, RAS millimetres. */
    public Affine affine() {
        return affine;
    }

    /** Free-form metadata (unmodifiable). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The same voxels (shared, not copied) with another affine. */
    public Volume withAffine(Affine newAffine) {
        return new Volume(type, shape, data, Objects.requireNonNull(newAffine, "affine"), metadata);
    }

    /** The same voxels (shared, not copied) with other metadata. */
    public Volume withMetadata(Map<String, Object> newMetadata) {
        return new Volume(
                type,
                shape,
                data,
                affine,
                Collections.unmodifiableMap(new LinkedHashMap<>(newMetadata)));
    }

    /** The linear index of voxel {@code (x, y, z)} in the first channel. */
    public long index(int x, int y, int z) {
        return x + (long) shape[0] * (y + (long) shape[1] * z);
    }

    /** The linear index of voxel {@code (x, y, z)} in channel {@code c}. */
    public long index(int x, int y, int z, int c) {
        return index(x, y, z) + (long) c * shape[0] * shape[1] * shape[2];
    }

    /** The value at {@code (x, y, z)} of the first channel, as a double. */
    public double get(int x, int y, int z) {
        return get(index(x, y, z));
    }

    /** The value at a linear index, as a double (unsigned types read as unsigned). */
    public double get(long index) {
        int at = Math.toIntExact(index * type.bytes());
        return switch (type) {
            case UINT8 -> data.get(at) & 0xFF;
            case INT8 -> data.get(at);
            case INT16 -> data.getShort(at);
            case UINT16 -> data.getShort(at) & 0xFFFF;
            case INT32 -> data.getInt(at);
            case UINT32 -> data.getInt(at) & 0xFFFF_FFFFL;
            case INT64 -> data.getLong(at);
            case FLOAT32 -> data.getFloat(at);
            case FLOAT64 -> data.getDouble(at);
        };
    }

    /**
     * Stores a value at a linear index, rounded and clamped to the voxel type for integer types.
     * Only for volumes being built (see {@link #data()}).
     */
    public void set(long index, double value) {
        int at = Math.toIntExact(index * type.bytes());
        if (type.isFloatingPoint()) {
            if (type == VoxelType.FLOAT32) {
                data.putFloat(at, (float) value);
            } else {
                data.putDouble(at, value);
            }
            return;
        }
        double v =
                Double.isNaN(value)
                        ? 0
                        : Math.max(type.minValue(), Math.min(type.maxValue(), Math.rint(value)));
        switch (type) {
            case UINT8, INT8 -> data.put(at, (byte) (long) v);
            case INT16, UINT16 -> data.putShort(at, (short) (long) v);
            case INT32, UINT32 -> data.putInt(at, (int) (long) v);
            case INT64 -> data.putLong(at, (long) v);
            default -> throw new AssertionError(type);
        }
    }

    /** All voxels as floats, in file order (a copy). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(voxelCount());
        float[] out = new float[n];
        if (type == VoxelType.FLOAT32) {
            data().asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) get(i);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Volume[" + type + " " + Arrays.toString(shape) + ", " + affine + "]";
    }
}
