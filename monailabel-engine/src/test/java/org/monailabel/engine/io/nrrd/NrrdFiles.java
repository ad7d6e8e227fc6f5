package org.monailabel.engine.io.nrrd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Builds NRRD files from header text and voxel values for tests. */
final class NrrdFiles {
    private NrrdFiles() {}

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + data.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(data, 0, out, h.length, data.length);
        return out;
    }

    static byte[] shorts(ByteOrder order, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(order);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
