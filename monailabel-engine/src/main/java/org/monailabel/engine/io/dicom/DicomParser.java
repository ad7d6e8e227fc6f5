package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.internal.VoxelStreams;

/**
 * Parses a DICOM Part 10 file (PS3.10 section 7): the 128-byte preamble, the {@code DICM} prefix,
 * the File Meta Information (explicit VR little endian) and then the dataset in the transfer syntax
 * named by (0002,0010): implicit VR little endian, explicit VR little endian, or deflated explicit
 * VR little endian (a raw deflate stream). Other syntaxes are refused by {@link TransferSyntax#of}.
 * Thread-safe (stateless).
 *
 * <p>The whole file is read into memory (at most {@link ReadOptions#maxVoxelBytes()} bytes, also
 * the cap on a deflated dataset once inflated) and values, pixel data included, are views of that
 * array rather than copies. Every length is checked against the bytes that remain in its enclosing
 * item or file before it is used; odd lengths, undefined lengths outside sequences, items outside
 * sequences, sequences nested more than {@value #MAX_DEPTH} deep and files of more than {@value
 * #MAX_ELEMENTS} elements are refused with an {@link InvalidImageException}.
 */
public final class DicomParser {
    /** The deepest sequence nesting accepted (real files rarely go beyond 5). */
    public static final int MAX_DEPTH = 16;

    /** The most data elements and items accepted in one file. */
    public static final int MAX_ELEMENTS = 4_000_000;

    private static final int PREAMBLE = 128;
    private static final long UNDEFINED = 0xFFFFFFFFL;

    /** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2). */
    private static final List<String> LONG_VRS =
            List.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private final ReadOptions options;

    public DicomParser() {
        this(ReadOptions.defaults());
    }

    public DicomParser(ReadOptions options) {
        this.options = options;
    }

    /** Parses a file. */
    public DicomFile parse(Path path) throws IOException {
        long size = Files.size(path);
        checkSize(size);
        return parse(readAll(path, size));
    }

    private static byte[] readAll(Path path, long size) throws IOException {
        byte[] bytes = new byte[(int) size];
        try (InputStream in = Files.newInputStream(path)) {
            VoxelStreams.readFully(in, bytes, 0, bytes.length, "DICOM file");
        }
        return bytes;
    }

    /** The bytes {@link #parseHeader} reads first; most headers end well before. */
    static final int HEADER_PREFIX = 64 * 1024;

    /**
     * Parses a file's attributes up to, not including, its pixel data (and anything after it): for
     * listing a folder's series without reading every slice's pixels. Reads the first {@value
     * #HEADER_PREFIX} bytes, and the whole file only when the attributes do not end there (or the
     * dataset is deflated). The result has no {@code (7FE0,0010)}.
     */
    public DicomFile parseHeader(Path path) throws IOException {
        long size = Files.size(path);
        if (size > HEADER_PREFIX) {
            byte[] prefix = new byte[HEADER_PREFIX];
            try (InputStream in = Files.newInputStream(path)) {
                VoxelStreams.readFully(in, prefix, 0, prefix.length, "DICOM file");
            }
            try {
                return parse(prefix, true);
            } catch (InvalidImageException e) {
                // the attributes go on past the prefix (or are deflated): read them all
            }
        }
        checkSize(size);
        return parse(readAll(path, size), true);
    }

    private void checkSize(long size) throws InvalidImageException {
        if (size > options.maxVoxelBytes()) {
            throw new InvalidImageException(
                    "DICOM file of "
                            + size
                            + " bytes exceeds the limit of "
                            + options.maxVoxelBytes()
                            + " bytes");
        }
    }

    /** Parses the bytes of a whole file; the array must not change afterwards (values view it). */
    public DicomFile parse(byte[] file) throws InvalidImageException {
        return parse(file, false);
    }

    private DicomFile parse(byte[] file, boolean headerOnly) throws InvalidImageException {
        if (file.length < PREAMBLE + 4) {
            throw new InvalidImageException(
                    "Not a DICOM Part 10 file: "
                            + file.length
                            + " bytes, shorter than the 128-byte preamble and DICM prefix");
        }
        if (file[PREAMBLE] != 'D'
                || file[PREAMBLE + 1] != 'I'
                || file[PREAMBLE + 2] != 'C'
                || file[PREAMBLE + 3] != 'M') {
            throw new InvalidImageException(
                    "Not a DICOM Part 10 file: no 'DICM' prefix after the 128-byte preamble");
        }
        Cursor meta = new Cursor(file, PREAMBLE + 4);
        Map<Integer, DicomElement> metaElements = new LinkedHashMap<>();
        while (meta.pos + 8 <= file.length && meta.u16(meta.pos) == 0x0002) {
            DicomElement e = meta.element(file.length, 0, true);
            put(metaElements, e);
        }
        DicomDataset metaSet = new DicomDataset(metaElements);
        String uid =
                metaSet.string(DicomTags.TRANSFER_SYNTAX_UID)
                        .orElseThrow(
                                () ->
                                        new InvalidImageException(
                                                "DICOM file meta information has no transfer"
                                                        + " syntax (0002,0010)"));
        TransferSyntax syntax = TransferSyntax.of(DicomDataset.printable(uid));
        byte[] data = file;
        int start = meta.pos;
        if (syntax.deflated()) {
            data = inflate(file, start, file.length - start);
            start = 0;
        }
        Cursor body = new Cursor(data, start);
        body.stopAtPixelData = headerOnly;
        DicomDataset dataset = body.dataset(data.length, false, 0, syntax.explicitVr());
        return new DicomFile(metaSet, syntax, dataset);
    }

    private static void put(Map<Integer, DicomElement> elements, DicomElement e)
            throws InvalidImageException {
        if (elements.putIfAbsent(e.tag(), e) != null) {
            throw new InvalidImageException(
                    "DICOM attribute " + DicomTags.toString(e.tag()) + " appears twice");
        }
    }

    private byte[] inflate(byte[] src, int offset, int length) throws InvalidImageException {
        long limit =
                Math.min(
                        options.maxVoxelBytes(),
                        Math.max(1, (long) length) * VoxelStreams.MAX_DEFLATE_RATIO);
        byte[] out = new byte[(int) Math.min(limit, Math.max(64 * 1024, 4L * length))];
        int n = 0;
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(src, offset, length);
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (out.length >= limit) {
                        throw new InvalidImageException(
                                "Deflated DICOM dataset inflates beyond the limit of "
                                        + limit
                                        + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(limit, 2L * out.length));
                }
                int r = inflater.inflate(out, n, out.length - n);
                n += r;
                if (r == 0 && n < out.length) {
                    if (inflater.needsDictionary()) {
                        throw new InvalidImageException(
                                "Deflated DICOM dataset needs a preset dictionary");
                    }
                    if (inflater.needsInput()) {
                        throw new InvalidImageException(
                                "Deflated DICOM dataset is truncated after "
                                        + n
                                        + " inflated bytes");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new InvalidImageException(
                    "Corrupt deflate stream in DICOM dataset: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return Arrays.copyOf(out, n);
    }

    /** A position in a byte array, reading little-endian values; bounds are checked by callers. */
    private static final class Cursor {
        private final byte[] b;
        private int pos;
        private int count;
        private boolean stopAtPixelData;

        Cursor(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int u16(int at) {
            return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
        }

        long u32(int at) {
            return (u16(at) | (long) u16(at + 2) << 16) & 0xFFFFFFFFL;
        }

        int tag(int at) {
            return u16(at) << 16 | u16(at + 2);
        }

        void need(int n, int end, String what) throws InvalidImageException {
            if (end - pos < n) {
                throw new InvalidImageException(
                        "DICOM "
                                + what
                                + " at byte "
                                + pos
                                + " is truncated: "
                                + (end - pos)
                                + " bytes left, "
                                + n
                                + " needed");
            }
        }

        void counted() throws InvalidImageException {
            if (++count > MAX_ELEMENTS) {
                throw new InvalidImageException(
                        "DICOM file has more than " + MAX_ELEMENTS + " data elements");
            }
        }

        /**
         * The elements up to {@code end} (a defined length) or up to an item delimitation item
         * ({@code undefinedLength}, which must come before {@code end}).
         */
        DicomDataset dataset(int end, boolean undefinedLength, int depth, boolean explicit)
                throws InvalidImageException {
            Map<Integer, DicomElement> elements = new LinkedHashMap<>();
            while (pos < end) {
                if (stopAtPixelData
                        && depth == 0
                        && end - pos >= 4
                        && Integer.compareUnsigned(tag(pos), DicomTags.PIXEL_DATA) >= 0) {
                    break;
                }
                if (undefinedLength && end - pos >= 8 && tag(pos) == DicomTags.ITEM_DELIMITATION) {
                    pos += 8; // its length is 0 by PS3.5 7.5.2; we do not insist
                    return new DicomDataset(elements);
                }
                put(elements, element(end, depth, explicit));
            }
            if (undefinedLength) {
                throw new InvalidImageException(
                        "DICOM item of undefined length has no item delimitation before byte "
                                + end);
            }
            return new DicomDataset(elements);
        }

        DicomElement element(int end, int depth, boolean explicit) throws InvalidImageException {
            counted();
            need(8, end, "data element");
            int start = pos;
            int tag = tag(pos);
            if (tag >>> 16 == 0xFFFE) {
                throw new InvalidImageException(
                        "DICOM "
                                + DicomTags.toString(tag)
                                + " (item or delimitation) at byte "
                                + start
                                + " is outside a sequence");
            }
            String vr;
            long length;
            if (explicit) {
                char c0 = (char) (b[pos + 4] & 0xFF);
                char c1 = (char) (b[pos + 5] & 0xFF);
                if (c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z') {
                    throw new InvalidImageException(
                            "DICOM "
                                    + DicomTags.toString(tag)
                                    + " at byte "
                                    + start
                                    + " has an invalid VR (bytes "
                                    + (int) c0
                                    + ", "
                                    + (int) c1
                                    + ")");
                }
                vr = new String(new char[] {c0, c1});
                if (LONG_VRS.contains(vr)) {
                    need(12, end, "data element");
                    length = u32(pos + 8);
                    pos += 12;
                } else {
                    length = u16(pos + 6);
                    pos += 8;
                }
            } else {
                vr = DicomTags.implicitVr(tag);
                length = u32(pos + 4);
                pos += 8;
            }
            if (length == UNDEFINED) {
                if ("SQ".equals(vr) || "UN".equals(vr)) {
                    // an undefined-length UN is a sequence in implicit VR (PS3.5 6.2.2)
                    boolean itemsExplicit = explicit && !"UN".equals(vr);
                    List<DicomDataset> items = sequence(end, -1, depth + 1, itemsExplicit, tag);
                    return DicomElement.sequence(tag, vr, items);
                }
                if (tag == DicomTags.PIXEL_DATA) {
                    throw new InvalidImageException(
                            "DICOM pixel data is encapsulated (undefined length) in a native"
                                    + " transfer syntax");
                }
                throw new InvalidImageException(
                        "DICOM "
                                + DicomTags.toString(tag)
                                + " ("
                                + vr
                                + ") at byte "
                                + start
                                + " has an undefined length, allowed only for sequences");
            }
            checkLength(length, end, tag, start);
            int len = (int) length;
            if ("SQ".equals(vr)) {
                List<DicomDataset> items = sequence(pos + len, pos + len, depth + 1, explicit, tag);
                return DicomElement.sequence(tag, vr, items);
            }
            DicomElement e = DicomElement.value(tag, vr, b, pos, len);
            pos += len;
            return e;
        }

        private void checkLength(long length, int end, int tag, int start)
                throws InvalidImageException {
            if (length > end - pos) {
                throw new InvalidImageException(
                        "DICOM "
                                + DicomTags.toString(tag)
                                + " at byte "
                                + start
                                + " has a value length of "
                                + length
                                + " but only "
                                + (end - pos)
                                + " bytes remain in its "
                                + (end == b.length ? "file" : "item"));
            }
            if ((length & 1) != 0) {
                throw new InvalidImageException(
                        "DICOM "
                                + DicomTags.toString(tag)
                                + " at byte "
                                + start
                                + " has an odd value length ("
                                + length
                                + "); PS3.5 requires even lengths");
            }
        }

        /**
         * The items of a sequence that ends at {@code definedEnd}, or at a sequence delimitation
         * item when {@code definedEnd < 0} (which must come before {@code end}).
         */
        List<DicomDataset> sequence(int end, int definedEnd, int depth, boolean explicit, int tag)
                throws InvalidImageException {
            if (depth > MAX_DEPTH) {
                throw new InvalidImageException(
                        "DICOM sequences are nested more than " + MAX_DEPTH + " deep");
            }
            List<DicomDataset> items = new ArrayList<>();
            while (true) {
                if (definedEnd >= 0 && pos == definedEnd) {
                    return items;
                }
                counted();
                need(8, end, "sequence " + DicomTags.toString(tag) + " item");
                int start = pos;
                int itemTag = tag(pos);
                long length = u32(pos + 4);
                pos += 8;
                if (itemTag == DicomTags.SEQUENCE_DELIMITATION) {
                    if (definedEnd >= 0) {
                        throw new InvalidImageException(
                                "DICOM sequence "
                                        + DicomTags.toString(tag)
                                        + " has a defined length but a sequence delimitation at"
                                        + " byte "
                                        + start);
                    }
                    return items;
                }
                if (itemTag != DicomTags.ITEM) {
                    throw new InvalidImageException(
                            "DICOM sequence "
                                    + DicomTags.toString(tag)
                                    + " holds "
                                    + DicomTags.toString(itemTag)
                                    + " at byte "
                                    + start
                                    + " where an item (FFFE,E000) belongs"
                                    + (definedEnd < 0 ? " (or a sequence delimitation)" : ""));
                }
                if (length == UNDEFINED) {
                    items.add(dataset(end, true, depth, explicit));
                } else {
                    checkLength(length, end, itemTag, start);
                    int itemEnd = pos + (int) length;
                    items.add(dataset(itemEnd, false, depth, explicit));
                }
            }
        }
    }
}
