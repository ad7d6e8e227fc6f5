package org.monailabel.engine.io.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Builds DICOM bytes by hand for the parser's unit and fuzz tests (the interop tests use pydicom
 * instead): elements are appended in order, in explicit or implicit VR little endian.
 */
final class DicomBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean explicit;

    DicomBytes(boolean explicit) {
        this.explicit = explicit;
    }

    /** A Part 10 file: preamble, DICM, meta group with the transfer syntax, then the dataset. */
    static byte[] file(String transferSyntax, byte[] dataset) {
        DicomBytes meta = new DicomBytes(true);
        meta.string(0x00020002, "UI", "1.2.840.10008.5.1.4.1.1.2");
        meta.string(0x00020010, "UI", transferSyntax);
        byte[] group = meta.bytes();
        DicomBytes file = new DicomBytes(true);
        file.out.writeBytes(new byte[128]);
        file.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        file.element(0x00020000, "UL", le(4).putInt(group.length).array());
        file.out.writeBytes(group);
        file.out.writeBytes(dataset);
        return file.bytes();
    }

    static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            o.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return o.toByteArray();
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    DicomBytes string(int tag, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        if ((v.length & 1) != 0) {
            byte[] p = new byte[v.length + 1];
            System.arraycopy(v, 0, p, 0, v.length);
            p[v.length] = (byte) ("UI".equals(vr) ? 0 : ' ');
            v = p;
        }
        return element(tag, vr, v);
    }

    DicomBytes us(int tag, int value) {
        return element(tag, "US", le(2).putShort((short) value).array());
    }

    DicomBytes element(int tag, String vr, byte[] value) {
        return header(tag, vr, value.length).raw(value);
    }

    /** A tag, VR (if explicit) and length; {@code length} -1 means undefined. */
    DicomBytes header(int tag, String vr, long length) {
        tag(tag);
        boolean isLong = vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN");
        if (explicit) {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (isLong) {
                out.writeBytes(new byte[2]);
                out.writeBytes(le(4).putInt((int) length).array());
            } else {
                out.writeBytes(le(2).putShort((short) length).array());
            }
        } else {
            out.writeBytes(le(4).putInt((int) length).array());
        }
        return this;
    }

    DicomBytes tag(int tag) {
        out.writeBytes(le(4).putShort((short) (tag >>> 16)).putShort((short) tag).array());
        return this;
    }

    /**
     * An item, item delimitation or sequence delimitation header ({@code length} -1: undefined).
     */
    DicomBytes item(int tag, long length) {
        tag(tag);
        out.writeBytes(le(4).putInt((int) length).array());
        return this;
    }

    DicomBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A grayscale image header and pixel data. */
    DicomBytes image(int rows, int columns, int bits, int representation, byte[] pixels) {
        string(0x00080060, "CS", "CT");
        us(0x00280002, 1);
        string(0x00280004, "CS", "MONOCHROME2");
        us(0x00280010, rows);
        us(0x00280011, columns);
        us(0x00280100, bits);
        us(0x00280101, bits);
        us(0x00280103, representation);
        return element(0x7FE00010, bits == 8 ? "OB" : "OW", pixels);
    }
}
