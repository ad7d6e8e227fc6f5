package org.monailabel.api.image;

import java.util.Locale;

/** The type of one voxel value as stored in a {@link Volume}'s buffer. */
public enum VoxelType {
    UINT8(1, false, false),
    INT8(1, true, false),
    INT16(2, true, false),
    UINT16(2, false, false),
    INT32(4, true, false),
    UINT32(4, false, false),
    INT64(8, true, false),
    FLOAT32(4, true, true),
    FLOAT64(8, true, true);

    private final int bytes;
    private final boolean signed;
    private final boolean floatingPoint;

    VoxelType(int bytes, boolean signed, boolean floatingPoint) {
        this.bytes = bytes;
        this.signed = signed;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per voxel. */
    public int bytes() {
        return bytes;
    }

    /** Whether values can be negative. */
    public boolean isSigned() {
        return signed;
    }

    /** Whether this is {@link #FLOAT32} or {@link #FLOAT64}. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The smallest value this type holds, as a double (exact for all but INT64's extremes). */
    public double minValue() {
        return switch (this) {
            case UINT8, UINT16, UINT32 -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            case FLOAT32 -> -Float.MAX_VALUE;
            case FLOAT64 -> -Double.MAX_VALUE;
        };
    }

    /** The largest value this type holds, as a double (exact for all but INT64's extremes). */
    public double maxValue() {
        return switch (this) {
            case UINT8 -> 0xFF;
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 0xFFFF;
            case INT32 -> Integer.MAX_VALUE;
            case UINT32 -> 0xFFFF_FFFFL;
            case INT64 -> Long.MAX_VALUE;
            case FLOAT32 -> Float.MAX_VALUE;
            case FLOAT64 -> Double.MAX_VALUE;
        };
    }

    /**
     * The type named as in MONAI Label's {@code result_dtype} parameter ({@code uint8}, {@code
     * int16}, {@code float32}, ...).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static VoxelType fromName(String name) {
        for (VoxelType type : values()) {
            if (type.wireName().equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown voxel type '" + name + "'");
    }

    /** The lower-case name used on the wire, e.g. {@code uint8}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
