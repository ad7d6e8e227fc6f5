package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Self-checking file contents for the tests: an 8-byte header (payload size, key) and a payload
 * derived from the key, so that a truncated or mixed-up file is recognised.
 */
final class Contents {
    private Contents() {}

    static byte[] of(int key, int size) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + size);
        buffer.putInt(size).putInt(key);
        for (int i = 0; i < size; i++) {
            buffer.put((byte) (key + i * 7));
        }
        return buffer.array();
    }

    static Path write(Path file, int key, int size) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, of(key, size));
    }

    /** The key of a complete file, or empty if the file is truncated or corrupt. */
    static OptionalLong key(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length < 8) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int size = buffer.getInt();
        int key = buffer.getInt();
        if (size != data.length - 8) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < size; i++) {
            if (data[8 + i] != (byte) (key + i * 7)) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(key);
    }
}
