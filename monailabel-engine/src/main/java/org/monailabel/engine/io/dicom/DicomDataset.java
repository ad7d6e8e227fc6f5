package org.monailabel.engine.io.dicom;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.monailabel.engine.io.InvalidImageException;

/**
 * The data elements of a dataset or of a sequence item, by tag, with typed accessors that check the
 * value against its VR. Strings are decoded as ISO-8859-1 (the default character repertoire; {@code
 * SpecificCharacterSet} is not applied yet, which only matters for names and free text). Immutable
 * and thread-safe.
 */
public final class DicomDataset {
    /** VRs whose value is text that may hold several values separated by a backslash. */
    private static final Set<String> MULTI_VALUED_TEXT =
            Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UC", "UI");

    /** Free-text VRs: a single value, leading spaces significant. */
    private static final Set<String> FREE_TEXT = Set.of("LT", "ST", "UT", "UR");

    private final Map<Integer, DicomElement> elements;

    DicomDataset(Map<Integer, DicomElement> elements) {
        this.elements = Collections.unmodifiableMap(new LinkedHashMap<>(elements));
    }

    /** The elements in file order. */
    public Collection<DicomElement> elements() {
        return elements.values();
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public Optional<DicomElement> element(int tag) {
        return Optional.ofNullable(elements.get(tag));
    }

    /**
     * The values of a text attribute, split at backslashes (for multi-valued VRs) with the padding
     * (spaces, and the NUL that pads a {@code UI}) trimmed; empty if the attribute is absent or has
     * an empty value.
     *
     * @throws InvalidImageException if the attribute is a sequence or has a binary VR
     */
    public List<String> strings(int tag) throws InvalidImageException {
        DicomElement e = elements.get(tag);
        if (e == null || e.length() == 0 && !e.isSequence()) {
            return List.of();
        }
        String vr = e.vr();
        boolean multi = MULTI_VALUED_TEXT.contains(vr);
        if (!multi && !FREE_TEXT.contains(vr) && !"UN".equals(vr)) {
            throw new InvalidImageException(
                    "DICOM attribute " + DicomTags.toString(tag) + " has VR " + vr + ", not text");
        }
        String text = new String(e.bytes(), StandardCharsets.ISO_8859_1);
        if (!multi) {
            return List.of(stripTrailing(text));
        }
        List<String> values = new ArrayList<>();
        for (String v : text.split("\\\\", -1)) {
            values.add(stripTrailing(v).strip());
        }
        return values;
    }

    /** The first value of a text attribute, if present and not empty. */
    public Optional<String> string(int tag) throws InvalidImageException {
        List<String> values = strings(tag);
        return values.isEmpty() || values.get(0).isEmpty()
                ? Optional.empty()
                : Optional.of(values.get(0));
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * The values of a numeric attribute: a decimal or integer string ({@code DS}, {@code IS}) or a
     * binary number ({@code US SS UL SL FL FD}, and {@code UV SV}); empty if absent or empty.
     *
     * @throws InvalidImageException if a value is not a finite number or the value's length does
     *     not fit its VR
     */
    public double[] doubles(int tag) throws InvalidImageException {
        DicomElement e = elements.get(tag);
        if (e == null || e.length() == 0) {
            return new double[0];
        }
        String vr = e.vr();
        if ("DS".equals(vr) || "IS".equals(vr)) {
            List<String> values = strings(tag);
            double[] out = new double[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = parseDecimal(tag, vr, values.get(i));
            }
            return out;
        }
        int size = binarySize(tag, vr);
        ByteBuffer b = e.buffer();
        if (b.remaining() % size != 0) {
            throw new InvalidImageException(
                    "DICOM attribute "
                            + DicomTags.toString(tag)
                            + " ("
                            + vr
                            + ") has "
                            + b.remaining()
                            + " bytes, not a multiple of "
                            + size);
        }
        double[] out = new double[b.remaining() / size];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    switch (vr) {
                        case "US" -> Short.toUnsignedInt(b.getShort());
                        case "SS" -> b.getShort();
                        case "UL" -> Integer.toUnsignedLong(b.getInt());
                        case "SL" -> b.getInt();
                        case "FL" -> b.getFloat();
                        case "FD" -> b.getDouble();
                        case "SV" -> (double) b.getLong();
                        default -> unsignedLongToDouble(b.getLong()); // UV
                    };
            if (!Double.isFinite(out[i])) {
                throw new InvalidImageException(
                        "DICOM attribute " + DicomTags.toString(tag) + " holds " + out[i]);
            }
        }
        return out;
    }

    private static double unsignedLongToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    private static int binarySize(int tag, String vr) throws InvalidImageException {
        return switch (vr) {
            case "US", "SS" -> 2;
            case "UL", "SL", "FL" -> 4;
            case "FD", "SV", "UV" -> 8;
            default ->
                    throw new InvalidImageException(
                            "DICOM attribute "
                                    + DicomTags.toString(tag)
                                    + " has VR "
                                    + vr
                                    + ", not a number");
        };
    }

    private static double parseDecimal(int tag, String vr, String text)
            throws InvalidImageException {
        // DS is [+-]digits[.digits][(e|E)[+-]digits], IS is [+-]digits; nothing else is accepted
        // (Java's parser would also take "NaN", "Infinity", hex floats and a trailing 'd' or 'f').
        String pattern =
                "IS".equals(vr)
                        ? "[+-]?[0-9]{1,12}"
                        : "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]{1,3})?";
        if (text.length() > 64 || !text.matches(pattern)) {
            throw new InvalidImageException(
                    "DICOM attribute "
                            + DicomTags.toString(tag)
                            + " ("
                            + vr
                            + ") is not a number: '"
                            + printable(text)
                            + "'");
        }
        double d = Double.parseDouble(text);
        if (!Double.isFinite(d)) {
            throw new InvalidImageException(
                    "DICOM attribute " + DicomTags.toString(tag) + " is out of range: " + text);
        }
        return d;
    }

    /** The first value of a numeric attribute, if present. */
    public OptionalDouble doubleValue(int tag) throws InvalidImageException {
        double[] values = doubles(tag);
        return values.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(values[0]);
    }

    /**
     * The values of an integer attribute ({@code IS}, {@code US SS UL SL}, ...).
     *
     * @throws InvalidImageException if a value is not a whole number in the {@code int} range
     */
    public int[] ints(int tag) throws InvalidImageException {
        double[] values = doubles(tag);
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new InvalidImageException(
                        "DICOM attribute " + DicomTags.toString(tag) + " is not an integer: " + v);
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** The first value of an integer attribute, if present. */
    public OptionalInt intValue(int tag) throws InvalidImageException {
        int[] values = ints(tag);
        return values.length == 0 ? OptionalInt.empty() : OptionalInt.of(values[0]);
    }

    /**
     * The items of a sequence attribute; empty if absent.
     *
     * @throws InvalidImageException if the attribute is present but not a sequence
     */
    public List<DicomDataset> sequence(int tag) throws InvalidImageException {
        DicomElement e = elements.get(tag);
        if (e == null) {
            return List.of();
        }
        if (!e.isSequence()) {
            throw new InvalidImageException(
                    "DICOM attribute "
                            + DicomTags.toString(tag)
                            + " ("
                            + e.vr()
                            + ") is not a sequence");
        }
        return e.items();
    }

    /** At most 64 characters of a file's text, with anything unprintable shown as '?'. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return s.length() > 64 ? sb + "..." : sb.toString();
    }
}
