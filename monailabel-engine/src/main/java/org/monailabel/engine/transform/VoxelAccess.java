package org.monailabel.engine.transform;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import org.monailabel.api.image.Volume;

/** Reads voxels as floats straight from a volume's buffer, whatever its type, without a copy. */
@FunctionalInterface
interface VoxelAccess {
    float get(int index);

    static VoxelAccess of(Volume v) {
        ByteBuffer b = v.data();
        return switch (v.type()) {
            case UINT8 -> i -> b.get(i) & 0xFF;
            case INT8 -> b::get;
            case INT16 -> {
                ShortBuffer s = b.asShortBuffer();
                yield s::get;
            }
            case UINT16 -> {
                ShortBuffer s = b.asShortBuffer();
                yield i -> s.get(i) & 0xFFFF;
            }
            case INT32 -> {
                IntBuffer s = b.asIntBuffer();
                yield s::get;
            }
            case UINT32 -> {
                IntBuffer s = b.asIntBuffer();
                yield i -> s.get(i) & 0xFFFF_FFFFL;
            }
            case INT64 -> {
                LongBuffer s = b.asLongBuffer();
                yield s::get;
            }
            case FLOAT32 -> {
                FloatBuffer s = b.asFloatBuffer();
                yield s::get;
            }
            case FLOAT64 -> {
                DoubleBuffer s = b.asDoubleBuffer();
                yield i -> (float) s.get(i);
            }
        };
    }
}
