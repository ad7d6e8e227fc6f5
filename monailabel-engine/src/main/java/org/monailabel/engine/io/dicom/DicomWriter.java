package org.monailabel.engine.io.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Writes DICOM Part 10 files (PS3.10 section 7): a 128-byte zero preamble, {@code DICM}, the File
 * Meta Information (group 0002, with its group length, the SOP class and instance taken from the
 * dataset's {@code SOPClassUID} and {@code SOPInstanceUID}, transfer syntax Explicit VR Little
 * Endian, {@link #IMPLEMENTATION_CLASS_UID} and {@link #IMPLEMENTATION_VERSION_NAME}) and the
 * dataset in Explicit VR Little Endian. Thread-safe (stateless).
 *
 * <p>Encoding (PS3.5 section 7): elements are written in ascending tag order; values are padded to
 * an even length ({@code UI} with NUL, other text with a space, binary values with a zero byte);
 * the VRs {@code OB OD OF OL OV OW SQ SV UC UN UR UT UV} have a 2-byte reserved field and a 4-byte
 * length (PS3.5 7.1.2), all others a 2-byte length. Sequences and their items are always written
 * with defined lengths (no delimitation items).
 *
 * <pre>{@code
 * DicomWriter.Dataset ds = new DicomWriter.Dataset()
 *         .putString(DicomTags.SOP_CLASS_UID, "UI", "1.2.840.10008.5.1.4.1.1.66.4")
 *         .putString(DicomTags.SOP_INSTANCE_UID, "UI", "2.25.1234")
 *         .putDoubles(DicomTags.PIXEL_SPACING, "DS", 0.7, 0.7);
 * DicomWriter.write(ds, Path.of("seg.dcm"));
 * }</pre>
 */
public final class DicomWriter {
    /** The UID naming this implementation in the file meta information (a fixed 2.25 UUID UID). */
    public static final String IMPLEMENTATION_CLASS_UID =
            "2.25.209668527277529776028864479577062178089";

    /** The implementation's version name in the file meta information (SH, at most 16). */
    public static final String IMPLEMENTATION_VERSION_NAME = "MONAILABEL_JVM_1";

    /** The transfer syntax every file is written in. */
    public static final TransferSyntax TRANSFER_SYNTAX = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;

    /**
     * Prefix of the temporary file {@link #write} renames into place (hidden, like the
     * datastore's).
     */
    static final String TEMP_PREFIX = ".monailabel-tmp-";

    /** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2). */
    static final Set<String> LONG_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    /** Text VRs that hold several values separated by backslashes. */
    private static final Set<String> MULTI_VALUED_TEXT =
            Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UC", "UI");

    /** Text VRs holding one value (free text); control characters CR LF FF TAB allowed. */
    private static final Set<String> FREE_TEXT = Set.of("LT", "ST", "UT", "UR");

    /** The most characters of one value (PS3.5 table 6.2-1); PN counts per component group. */
    private static final Map<String, Integer> MAX_CHARS =
            Map.ofEntries(
                    Map.entry("AE", 16),
                    Map.entry("AS", 4),
                    Map.entry("CS", 16),
                    Map.entry("DA", 8),
                    Map.entry("DS", 16),
                    Map.entry("DT", 26),
                    Map.entry("IS", 12),
                    Map.entry("LO", 64),
                    Map.entry("PN", 64),
                    Map.entry("SH", 16),
                    Map.entry("TM", 14),
                    Map.entry("UI", 64),
                    Map.entry("LT", 10240),
                    Map.entry("ST", 1024));

    private static final long MAX_LONG_LENGTH = 0xFFFFFFFEL;
    private static final int MAX_SHORT_LENGTH = 0xFFFE;

    private DicomWriter() {}

    /**
     * The Part 10 file of a dataset, in memory.
     *
     * @throws IllegalArgumentException if the dataset has no {@code SOPClassUID} or {@code
     *     SOPInstanceUID} (the file meta information repeats them)
     */
    public static byte[] toBytes(Dataset dataset) {
        Objects.requireNonNull(dataset, "dataset");
        String sopClass =
                dataset.text(DicomTags.SOP_CLASS_UID)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "A DICOM file needs a SOPClassUID (0008,0016)"));
        String sopInstance =
                dataset.text(DicomTags.SOP_INSTANCE_UID)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "A DICOM file needs a SOPInstanceUID (0008,0018)"));
        Dataset meta = new Dataset(true);
        meta.putBytes(DicomTags.FILE_META_INFORMATION_VERSION, "OB", new byte[] {0, 1});
        meta.putString(DicomTags.MEDIA_STORAGE_SOP_CLASS_UID, "UI", sopClass);
        meta.putString(DicomTags.MEDIA_STORAGE_SOP_INSTANCE_UID, "UI", sopInstance);
        meta.putString(DicomTags.TRANSFER_SYNTAX_UID, "UI", TRANSFER_SYNTAX.uid());
        meta.putString(DicomTags.IMPLEMENTATION_CLASS_UID, "UI", IMPLEMENTATION_CLASS_UID);
        meta.putString(DicomTags.IMPLEMENTATION_VERSION_NAME, "SH", IMPLEMENTATION_VERSION_NAME);
        ByteArrayOutputStream metaBytes = new ByteArrayOutputStream();
        meta.encode(metaBytes);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        writeHeader(out, DicomTags.FILE_META_INFORMATION_GROUP_LENGTH, "UL", 4);
        out.writeBytes(le(4).putInt(metaBytes.size()).array());
        out.writeBytes(metaBytes.toByteArray());
        dataset.encode(out);
        return out.toByteArray();
    }

    /**
     * Writes a dataset's Part 10 file atomically: into a hidden temporary file in the target's
     * folder, synced, then renamed over {@code file}; a reader never sees a partial file.
     */
    public static void write(Dataset dataset, Path file) throws IOException {
        byte[] bytes = toBytes(dataset);
        Path target = file.toAbsolutePath();
        Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + ".dcm");
        try {
            try (FileChannel channel =
                    FileChannel.open(
                            temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                channel.force(true);
            }
            try {
                Files.move(
                        temp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * A decimal string ({@code DS}) of at most 16 characters holding as many significant digits of
     * {@code value} as fit, in fixed-point notation if that is as precise, else with an exponent.
     *
     * @throws IllegalArgumentException for NaN or an infinity
     */
    public static String formatDecimal(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("A DICOM decimal string cannot hold " + value);
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(value));
        for (int digits = 17; digits >= 1; digits--) {
            BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (Double.isInfinite(r.doubleValue())) { // rounded up past Double.MAX_VALUE
                r = exact.round(new MathContext(digits, RoundingMode.DOWN));
            }
            r = r.stripTrailingZeros();
            String plain = r.toPlainString();
            if (plain.length() <= 16) {
                return plain;
            }
            String scientific = scientific(r);
            if (scientific.length() <= 16) {
                return scientific;
            }
        }
        throw new AssertionError(value); // one digit and an exponent always fit
    }

    private static String scientific(BigDecimal r) {
        String digits = r.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - r.scale();
        StringBuilder sb = new StringBuilder();
        if (r.signum() < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        return sb.append('E').append(exponent).toString();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeHeader(ByteArrayOutputStream out, int tag, String vr, long length) {
        ByteBuffer b = le(12);
        b.putShort((short) (tag >>> 16)).putShort((short) tag);
        b.put((byte) vr.charAt(0)).put((byte) vr.charAt(1));
        if (LONG_VRS.contains(vr)) {
            b.putShort((short) 0).putInt((int) length);
        } else {
            b.putShort((short) length);
        }
        out.write(b.array(), 0, b.position());
    }

    /**
     * The attributes of a dataset or of a sequence item, built up with {@code put} methods (a later
     * put of the same tag replaces the value). Values are checked against their VR when put: a
     * wrong VR for a tag {@link DicomTags} knows, a value too long for its VR, a character the VR
     * does not allow, or a number out of range throws {@link IllegalArgumentException}. Text is
     * encoded as ISO-8859-1 (each character one byte, as {@link DicomDataset} decodes it); set
     * {@code SpecificCharacterSet} when a value has characters beyond ASCII. Not thread-safe;
     * sequence items are encoded as they are when the file is written.
     */
    public static final class Dataset {
        private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);
        private final boolean meta;

        public Dataset() {
            this(false);
        }

        private Dataset(boolean meta) {
            this.meta = meta;
        }

        private record Element(int tag, String vr, byte[] value, List<Dataset> items) {}

        /**
         * Text values of a text VR ({@code AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT}),
         * joined with backslashes; no values, or one empty value, make an empty (Type 2) value.
         */
        public Dataset putString(int tag, String vr, String... values) {
            checkTag(tag, vr);
            boolean multi = MULTI_VALUED_TEXT.contains(vr);
            if (!multi && !FREE_TEXT.contains(vr)) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + ": " + vr + " is not a text VR");
            }
            if (!multi && values.length > 1) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + ": " + vr + " holds one value, not several");
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                String v = Objects.requireNonNull(values[i], "value");
                checkText(tag, vr, v);
                sb.append(i == 0 ? "" : "\\").append(v);
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            return put(tag, vr, pad(bytes, "UI".equals(vr) ? (byte) 0 : (byte) ' '));
        }

        /**
         * Integer values: binary {@code US SS UL SL}, attribute tags {@code AT} (each value a tag,
         * {@code group << 16 | element}), or an integer string {@code IS}.
         */
        public Dataset putInts(int tag, String vr, int... values) {
            checkTag(tag, vr);
            if ("IS".equals(vr)) {
                String[] text = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    text[i] = Integer.toString(values[i]);
                }
                return putString(tag, vr, text);
            }
            int size =
                    switch (vr) {
                        case "US", "SS" -> 2;
                        case "UL", "SL", "AT" -> 4;
                        default ->
                                throw new IllegalArgumentException(
                                        DicomTags.toString(tag)
                                                + ": "
                                                + vr
                                                + " is not an integer VR");
                    };
            ByteBuffer b = le(size * values.length);
            for (int v : values) {
                switch (vr) {
                    case "US" -> b.putShort((short) range(tag, vr, v, 0, 0xFFFF));
                    case "SS" -> b.putShort((short) range(tag, vr, v, Short.MIN_VALUE, 0x7FFF));
                    case "UL" -> b.putInt(range(tag, vr, v, 0, Integer.MAX_VALUE));
                    case "SL" -> b.putInt(v);
                    default -> b.putShort((short) (v >>> 16)).putShort((short) v); // AT
                }
            }
            return put(tag, vr, b.array());
        }

        /**
         * Floating-point values: a decimal string {@code DS} (each value formatted by {@link
         * #formatDecimal}), or binary {@code FL FD OF OD}.
         */
        public Dataset putDoubles(int tag, String vr, double... values) {
            checkTag(tag, vr);
            if ("DS".equals(vr)) {
                String[] text = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    text[i] = formatDecimal(values[i]);
                }
                return putString(tag, vr, text);
            }
            boolean single =
                    switch (vr) {
                        case "FL", "OF" -> true;
                        case "FD", "OD" -> false;
                        default ->
                                throw new IllegalArgumentException(
                                        DicomTags.toString(tag)
                                                + ": "
                                                + vr
                                                + " is not a floating VR");
                    };
            ByteBuffer b = le((single ? 4 : 8) * values.length);
            for (double v : values) {
                if (single) {
                    b.putFloat((float) v);
                } else {
                    b.putDouble(v);
                }
            }
            return put(tag, vr, b.array());
        }

        /**
         * Raw bytes of a binary VR ({@code OB OW OF OD OL OV UN}); {@code OB} and {@code UN} of odd
         * length are padded with a zero byte, the others must be whole words.
         */
        public Dataset putBytes(int tag, String vr, byte[] value) {
            checkTag(tag, vr);
            int word =
                    switch (vr) {
                        case "OB", "UN" -> 1;
                        case "OW" -> 2;
                        case "OF", "OL" -> 4;
                        case "OD", "OV" -> 8;
                        default ->
                                throw new IllegalArgumentException(
                                        DicomTags.toString(tag)
                                                + ": "
                                                + vr
                                                + " is not a binary VR");
                    };
            if (value.length % word != 0) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag)
                                + ": "
                                + value.length
                                + " bytes are not whole "
                                + vr
                                + " words of "
                                + word
                                + " bytes");
            }
            return put(tag, vr, pad(value.clone(), (byte) 0));
        }

        /** A sequence ({@code SQ}) of items; an empty list makes an empty (Type 2) sequence. */
        public Dataset putSequence(int tag, List<Dataset> items) {
            checkTag(tag, "SQ");
            for (Dataset item : items) {
                if (item == this) {
                    throw new IllegalArgumentException("A dataset cannot be an item of itself");
                }
            }
            elements.put(tag, new Element(tag, "SQ", null, List.copyOf(items)));
            return this;
        }

        /** Removes an attribute, if present. */
        public Dataset remove(int tag) {
            elements.remove(tag);
            return this;
        }

        public boolean contains(int tag) {
            return elements.containsKey(tag);
        }

        /** The (first) value of a text attribute put here, without padding. */
        public Optional<String> text(int tag) {
            Element e = elements.get(tag);
            if (e == null || e.value() == null) {
                return Optional.empty();
            }
            String s = new String(e.value(), StandardCharsets.ISO_8859_1);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
                end--;
            }
            String first = s.substring(0, end).split("\\\\", -1)[0];
            return first.isEmpty() ? Optional.empty() : Optional.of(first);
        }

        private Dataset put(int tag, String vr, byte[] value) {
            long max = LONG_VRS.contains(vr) ? MAX_LONG_LENGTH : MAX_SHORT_LENGTH;
            if (value.length > max) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag)
                                + ": a value of "
                                + value.length
                                + " bytes does not fit "
                                + vr);
            }
            elements.put(tag, new Element(tag, vr, value, null));
            return this;
        }

        private void checkTag(int tag, String vr) {
            Objects.requireNonNull(vr, "vr");
            int group = tag >>> 16;
            if (group == 0xFFFE) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + " is an item or delimitation, not an attribute");
            }
            if ((group == 0x0002) != meta) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag)
                                + (meta
                                        ? " is not file meta information"
                                        : " is file meta information, which the writer makes"));
            }
            if ((tag & 0xFFFF) == 0) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + " is a group length, which the writer makes");
            }
            String known = DicomTags.dictionaryVr(tag);
            boolean pixelData = tag == DicomTags.PIXEL_DATA && ("OB".equals(vr) || "OW".equals(vr));
            if (known != null && !known.equals(vr) && !pixelData) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + " has VR " + known + ", not " + vr);
            }
        }

        private static int range(int tag, String vr, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(
                        DicomTags.toString(tag) + ": " + v + " is out of the range of " + vr);
            }
            return v;
        }

        private static void checkText(int tag, String vr, String v) {
            boolean free = FREE_TEXT.contains(vr);
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                boolean control = c < 0x20 || c == 0x7F;
                boolean ok;
                if (c > 0xFF || c == '\\' && !free) {
                    ok = false; // not ISO-8859-1, or the value separator
                } else if (control) {
                    ok = c == 0x1B || free && (c == '\r' || c == '\n' || c == '\f' || c == '\t');
                } else {
                    ok = true;
                }
                if (ok) {
                    ok =
                            switch (vr) {
                                case "UI" -> c >= '0' && c <= '9' || c == '.';
                                case "CS" ->
                                        c >= 'A' && c <= 'Z'
                                                || c >= '0' && c <= '9'
                                                || c == ' '
                                                || c == '_';
                                case "DS" -> c >= '0' && c <= '9' || "+-.eE ".indexOf(c) >= 0;
                                case "IS" -> c >= '0' && c <= '9' || "+- ".indexOf(c) >= 0;
                                case "DA" -> c >= '0' && c <= '9';
                                case "TM" -> c >= '0' && c <= '9' || c == '.';
                                case "DT" -> c >= '0' && c <= '9' || "+-.".indexOf(c) >= 0;
                                case "AS" -> c >= '0' && c <= '9' || "DWMY".indexOf(c) >= 0;
                                default -> true;
                            };
                }
                if (!ok) {
                    throw new IllegalArgumentException(
                            DicomTags.toString(tag)
                                    + ": character "
                                    + (c >= 0x20 && c < 0x7F ? "'" + c + "'" : "U+" + (int) c)
                                    + " is not allowed in "
                                    + vr
                                    + " value '"
                                    + DicomDataset.printable(v)
                                    + "'");
                }
            }
            Integer max = MAX_CHARS.get(vr);
            if (max != null) {
                String[] parts = "PN".equals(vr) ? v.split("=", -1) : new String[] {v};
                for (String part : parts) {
                    if (part.length() > max) {
                        throw new IllegalArgumentException(
                                DicomTags.toString(tag)
                                        + ": "
                                        + vr
                                        + " value '"
                                        + DicomDataset.printable(v)
                                        + "' is longer than "
                                        + max
                                        + " characters");
                    }
                }
            }
        }

        private static byte[] pad(byte[] value, byte pad) {
            if ((value.length & 1) == 0) {
                return value;
            }
            byte[] padded = new byte[value.length + 1];
            System.arraycopy(value, 0, padded, 0, value.length);
            padded[value.length] = pad;
            return padded;
        }

        private void encode(ByteArrayOutputStream out) {
            encode(out, 0);
        }

        private void encode(ByteArrayOutputStream out, int depth) {
            if (depth > DicomParser.MAX_DEPTH) {
                throw new IllegalArgumentException(
                        "DICOM sequences are nested more than " + DicomParser.MAX_DEPTH + " deep");
            }
            for (Element e : elements.values()) {
                if (e.items() == null) {
                    writeHeader(out, e.tag(), e.vr(), e.value().length);
                    out.writeBytes(e.value());
                    continue;
                }
                List<byte[]> items = new ArrayList<>();
                long length = 0;
                for (Dataset item : e.items()) {
                    ByteArrayOutputStream itemBytes = new ByteArrayOutputStream();
                    item.encode(itemBytes, depth + 1);
                    byte[] b = itemBytes.toByteArray();
                    items.add(b);
                    length += 8 + b.length;
                }
                if (length > MAX_LONG_LENGTH) {
                    throw new IllegalArgumentException(
                            DicomTags.toString(e.tag()) + ": the sequence exceeds 4 GiB");
                }
                writeHeader(out, e.tag(), "SQ", length);
                for (byte[] b : items) {
                    ByteBuffer h = le(8);
                    h.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(b.length);
                    out.writeBytes(h.array());
                    out.writeBytes(b);
                }
            }
        }
    }
}
