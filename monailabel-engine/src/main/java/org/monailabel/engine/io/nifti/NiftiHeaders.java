package org.monailabel.engine.io.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.monailabel.engine.io.InvalidImageException;

/**
 * Decodes and encodes the binary NIfTI-1 (348 bytes) and NIfTI-2 (540 bytes) headers, in either
 * byte order. Decoding checks the magic, the number of axes and the data offset; sizes, types and
 * geometry are checked by the reader.
 */
final class NiftiHeaders {
    static final int NIFTI1_SIZE = 348;
    static final int NIFTI2_SIZE = 540;
    private static final byte[] MAGIC1 = {'n', '+', '1', 0};
    private static final byte[] PAIR1 = {'n', 'i', '1', 0};
    private static final byte[] MAGIC2 = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};
    private static final byte[] PAIR2 = {'n', 'i', '2', 0, '\r', '\n', 0x1a, '\n'};

    private NiftiHeaders() {}

    /**
     * The header size a file starting with these 4 bytes declares (348 or 540), and its byte order.
     *
     * @throws InvalidImageException if {@code sizeof_hdr} is neither, in either byte order
     */
    static Sized sizeOf(byte[] first4) throws InvalidImageException {
        ByteBuffer bb = ByteBuffer.wrap(first4, 0, 4);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            int size = bb.order(order).getInt(0);
            if (size == NIFTI1_SIZE || size == NIFTI2_SIZE) {
                return new Sized(size, order);
            }
        }
        throw new InvalidImageException(
                "Not a NIfTI file: sizeof_hdr is neither 348 nor 540 in either byte order");
    }

    record Sized(int size, ByteOrder order) {}

    /** Decodes a full header of {@link Sized#size()} bytes. */
    static NiftiHeader decode(byte[] bytes, Sized sized) throws InvalidImageException {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(sized.order());
        return sized.size() == NIFTI1_SIZE ? decode1(bb) : decode2(bb);
    }

    private static NiftiHeader decode1(ByteBuffer bb) throws InvalidImageException {
        checkMagic(bb, 344, MAGIC1, PAIR1, "NIfTI-1");
        long[] dim = new long[8];
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = bb.getShort(40 + 2 * i);
            pixdim[i] = bb.getFloat(76 + 4 * i);
        }
        float offset = bb.getFloat(108);
        if (!(offset >= 0 && offset <= Integer.MAX_VALUE)) {
            throw new InvalidImageException(
                    "NIfTI-1 vox_offset " + offset + " is not a valid offset");
        }
        double[] srow = new double[12];
        for (int i = 0; i < 12; i++) {
            srow[i] = bb.getFloat(280 + 4 * i);
        }
        return new NiftiHeader(
                1,
                bb.order(),
                checkRank(dim),
                bb.getShort(70),
                pixdim,
                dataOffset((long) offset, NIFTI1_SIZE),
                bb.getFloat(112),
                bb.getFloat(116),
                bb.get(123) & 0xFF,
                bb.getShort(252),
                bb.getShort(254),
                new double[] {bb.getFloat(256), bb.getFloat(260), bb.getFloat(264)},
                new double[] {bb.getFloat(268), bb.getFloat(272), bb.getFloat(276)},
                srow,
                bb.getShort(68),
                text(bb, 148, 80));
    }

    private static NiftiHeader decode2(ByteBuffer bb) throws InvalidImageException {
        checkMagic(bb, 4, MAGIC2, PAIR2, "NIfTI-2");
        long[] dim = new long[8];
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = bb.getLong(16 + 8 * i);
            pixdim[i] = bb.getDouble(104 + 8 * i);
        }
        long offset = bb.getLong(168);
        if (offset < 0) {
            throw new InvalidImageException("NIfTI-2 vox_offset " + offset + " is negative");
        }
        double[] srow = new double[12];
        for (int i = 0; i < 12; i++) {
            srow[i] = bb.getDouble(400 + 8 * i);
        }
        return new NiftiHeader(
                2,
                bb.order(),
                checkRank(dim),
                bb.getShort(12),
                pixdim,
                dataOffset(offset, NIFTI2_SIZE),
                bb.getDouble(176),
                bb.getDouble(184),
                bb.getInt(500),
                bb.getInt(344),
                bb.getInt(348),
                new double[] {bb.getDouble(352), bb.getDouble(360), bb.getDouble(368)},
                new double[] {bb.getDouble(376), bb.getDouble(384), bb.getDouble(392)},
                srow,
                bb.getInt(504),
                text(bb, 240, 80));
    }

    private static void checkMagic(ByteBuffer bb, int at, byte[] single, byte[] pair, String format)
            throws InvalidImageException {
        byte[] magic = new byte[single.length];
        bb.get(at, magic);
        if (Arrays.equals(magic, single)) {
            return;
        }
        if (Arrays.equals(magic, pair)) {
            throw new InvalidImageException(
                    format
                            + " header/image pairs (.hdr/.img) are not supported;"
                            + " convert to a single .nii file");
        }
        throw new InvalidImageException("Not a single-file " + format + " image: wrong magic");
    }

    private static long[] checkRank(long[] dim) throws InvalidImageException {
        if (dim[0] < 1 || dim[0] > 7) {
            throw new InvalidImageException(
                    "NIfTI dim[0] (number of axes) is " + dim[0] + ", not 1..7");
        }
        return dim;
    }

    /**
     * Single-file NIfTI data starts after the header and the 4 extension-flag bytes. An offset of 0
     * is rejected too: readers disagree on it (nibabel reads the header as voxels, nifti_clib
     * starts at byte 348), so no answer would be right.
     */
    private static long dataOffset(long offset, int headerSize) throws InvalidImageException {
        long minimum = headerSize + 4L;
        if (offset < minimum) {
            throw new InvalidImageException(
                    "NIfTI vox_offset "
                            + offset
                            + " is inside the header (minimum "
                            + minimum
                            + " for a single .nii file)");
        }
        return offset;
    }

    private static String text(ByteBuffer bb, int at, int length) {
        byte[] raw = new byte[length];
        bb.get(at, raw);
        int n = 0;
        while (n < length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Encodes a little-endian header followed by 4 zero extension bytes. */
    static byte[] encode(NiftiHeader h) {
        int size = h.headerSize();
        ByteBuffer bb = ByteBuffer.allocate(size + 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, size);
        byte[] descrip = h.descrip().getBytes(StandardCharsets.ISO_8859_1);
        int descripLength = Math.min(descrip.length, 79);
        if (h.version() == 1) {
            bb.put(38, (byte) 'r');
            for (int i = 0; i < 8; i++) {
                bb.putShort(40 + 2 * i, (short) h.dim()[i]);
                bb.putFloat(76 + 4 * i, (float) h.pixdim()[i]);
            }
            bb.putShort(68, (short) h.intentCode());
            bb.putShort(70, (short) h.datatype());
            bb.putShort(72, (short) (bitpix(h)));
            bb.putFloat(108, h.voxOffset());
            bb.putFloat(112, (float) h.sclSlope());
            bb.putFloat(116, (float) h.sclInter());
            bb.put(123, (byte) h.xyztUnits());
            bb.put(148, descrip, 0, descripLength);
            bb.putShort(252, (short) h.qformCode());
            bb.putShort(254, (short) h.sformCode());
            for (int i = 0; i < 3; i++) {
                bb.putFloat(256 + 4 * i, (float) h.quatern()[i]);
                bb.putFloat(268 + 4 * i, (float) h.qoffset()[i]);
            }
            for (int i = 0; i < 12; i++) {
                bb.putFloat(280 + 4 * i, (float) h.srow()[i]);
            }
            bb.put(344, MAGIC1);
        } else {
            bb.put(4, MAGIC2);
            bb.putShort(12, (short) h.datatype());
            bb.putShort(14, (short) bitpix(h));
            for (int i = 0; i < 8; i++) {
                bb.putLong(16 + 8 * i, h.dim()[i]);
                bb.putDouble(104 + 8 * i, h.pixdim()[i]);
            }
            bb.putLong(168, h.voxOffset());
            bb.putDouble(176, h.sclSlope());
            bb.putDouble(184, h.sclInter());
            bb.put(240, descrip, 0, descripLength);
            bb.putInt(344, h.qformCode());
            bb.putInt(348, h.sformCode());
            for (int i = 0; i < 3; i++) {
                bb.putDouble(352 + 8 * i, h.quatern()[i]);
                bb.putDouble(376 + 8 * i, h.qoffset()[i]);
            }
            for (int i = 0; i < 12; i++) {
                bb.putDouble(400 + 8 * i, h.srow()[i]);
            }
            bb.putInt(500, h.xyztUnits());
            bb.putInt(504, h.intentCode());
        }
        return bb.array();
    }

    private static int bitpix(NiftiHeader h) {
        return switch (h.datatype()) {
            case 2, 256 -> 8;
            case 4, 512 -> 16;
            case 8, 16, 768 -> 32;
            default -> 64;
        };
    }
}
