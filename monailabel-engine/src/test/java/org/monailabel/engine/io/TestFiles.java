package org.monailabel.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.monailabel.api.image.Volume;

/** Helpers for codec tests: voxel bytes in a fixed byte order and their digest. */
public final class TestFiles {
    private TestFiles() {}

    /** The voxel data as little-endian bytes in file order. */
    public static byte[] littleEndianBytes(Volume volume) {
        ByteBuffer data = volume.data();
        byte[] out = new byte[data.remaining()];
        int size = volume.type().bytes();
        if (data.order() == ByteOrder.LITTLE_ENDIAN || size == 1) {
            data.get(out);
            return out;
        }
        for (int i = 0; i < out.length; i += size) {
            for (int b = 0; b < size; b++) {
                out[i + b] = data.get(i + size - 1 - b);
            }
        }
        return out;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
