package org.monailabel.engine.io.nrrd;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/**
 * The text header of a NRRD file: field descriptors ({@code name: value}, names lower-cased) and
 * key/value pairs ({@code key:=value}), with typed accessors that validate what they parse.
 *
 * @param fields field descriptors in file order, names lower-case
 * @param keyValues key/value pairs in file order, unescaped
 * @param length header bytes including the blank line that ends it
 * @param attached whether the header ended with a blank line (data follows in the same file)
 */
record NrrdHeader(
        Map<String, String> fields, Map<String, String> keyValues, long length, boolean attached) {
    static final int MAX_DIMENSION = 16;

    Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** The detached data file, under either spelling of the field name. */
    Optional<String> dataFile() {
        return field("data file").or(() -> field("datafile"));
    }

    /** An integer field under its name or its old unspaced alias, or the default if absent. */
    long longField(String name, String alias, long defaultValue) throws InvalidImageException {
        Optional<String> value = field(name).or(() -> field(alias));
        return value.isPresent() ? parseLong(value.get(), name) : defaultValue;
    }

    String required(String name) throws InvalidImageException {
        String value = fields.get(name);
        if (value == null) {
            throw new InvalidImageException("NRRD header has no '" + name + "' field");
        }
        return value;
    }

    VoxelType type() throws InvalidImageException {
        String t = required("type").trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return switch (t) {
            case "signed char", "int8", "int8_t" -> VoxelType.INT8;
            case "uchar", "unsigned char", "uint8", "uint8_t" -> VoxelType.UINT8;
            case "short", "short int", "signed short", "signed short int", "int16", "int16_t" ->
                    VoxelType.INT16;
            case "ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t" ->
                    VoxelType.UINT16;
            case "int", "signed int", "int32", "int32_t" -> VoxelType.INT32;
            case "uint", "unsigned int", "uint32", "uint32_t" -> VoxelType.UINT32;
            case "longlong",
                    "long long",
                    "long long int",
                    "signed long long",
                    "signed long long int",
                    "int64",
                    "int64_t" ->
                    VoxelType.INT64;
            case "float" -> VoxelType.FLOAT32;
            case "double" -> VoxelType.FLOAT64;
            default ->
                    throw new InvalidImageException(
                            "NRRD type '" + abbreviate(t) + "' is not supported");
        };
    }

    int dimension() throws InvalidImageException {
        long d = parseLong(required("dimension"), "dimension");
        if (d < 1 || d > MAX_DIMENSION) {
            throw new InvalidImageException(
                    "NRRD dimension " + d + " is not in 1.." + MAX_DIMENSION);
        }
        return (int) d;
    }

    long[] sizes(int dimension) throws InvalidImageException {
        String[] tokens = tokens(required("sizes"));
        if (tokens.length != dimension) {
            throw new InvalidImageException(
                    "NRRD sizes has " + tokens.length + " values for dimension " + dimension);
        }
        long[] sizes = new long[dimension];
        for (int i = 0; i < dimension; i++) {
            sizes[i] = parseLong(tokens[i], "sizes");
            if (sizes[i] < 1) {
                throw new InvalidImageException("NRRD sizes has a value below 1: " + sizes[i]);
            }
        }
        return sizes;
    }

    ByteOrder endian() throws InvalidImageException {
        String e = field("endian").orElse("little").trim().toLowerCase(Locale.ROOT);
        return switch (e) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default ->
                    throw new InvalidImageException(
                            "NRRD endian '" + abbreviate(e) + "' is not little or big");
        };
    }

    /** {@code raw} or {@code gzip}. */
    String encoding() throws InvalidImageException {
        String e = required("encoding").trim().toLowerCase(Locale.ROOT);
        return switch (e) {
            case "raw" -> "raw";
            case "gzip", "gz" -> "gzip";
            default ->
                    throw new InvalidImageException(
                            "NRRD encoding '"
                                    + abbreviate(e)
                                    + "' is not supported (raw and gzip are)");
        };
    }

    /** Per-axis kinds, lower-case, or empty if the field is absent. */
    Optional<String[]> kinds(int dimension) throws InvalidImageException {
        Optional<String> value = field("kinds");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String[] kinds = tokens(value.get().toLowerCase(Locale.ROOT));
        if (kinds.length != dimension) {
            throw new InvalidImageException(
                    "NRRD kinds has " + kinds.length + " values for dimension " + dimension);
        }
        return Optional.of(kinds);
    }

    /** Space directions per axis; {@code null} for a {@code none} axis. */
    double[][] spaceDirections(int dimension, int spaceDimension) throws InvalidImageException {
        List<String> groups = vectorTokens(required("space directions"));
        if (groups.size() != dimension) {
            throw new InvalidImageException(
                    "NRRD space directions has "
                            + groups.size()
                            + " entries for dimension "
                            + dimension);
        }
        double[][] out = new double[dimension][];
        for (int i = 0; i < dimension; i++) {
            String g = groups.get(i);
            out[i] =
                    g.equalsIgnoreCase("none")
                            ? null
                            : vector(g, spaceDimension, "space directions");
        }
        return out;
    }

    double[] vector(String text, int length, String what) throws InvalidImageException {
        String t = text.trim();
        if (!t.startsWith("(") || !t.endsWith(")")) {
            throw new InvalidImageException(
                    "NRRD " + what + " entry '" + abbreviate(t) + "' is not a (x,y,z) vector");
        }
        String[] parts = t.substring(1, t.length() - 1).split(",", -1);
        if (parts.length != length) {
            throw new InvalidImageException(
                    "NRRD " + what + " vector has " + parts.length + " values, expected " + length);
        }
        double[] v = new double[length];
        for (int i = 0; i < length; i++) {
            v[i] = parseDouble(parts[i], what);
            if (!Double.isFinite(v[i])) {
                throw new InvalidImageException("NRRD " + what + " has a non-finite value");
            }
        }
        return v;
    }

    /** Splits "(a,b,c) none (d, e, f)" into its parenthesised groups and bare words. */
    static List<String> vectorTokens(String value) throws InvalidImageException {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (i < n) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(') {
                int end = value.indexOf(')', i);
                if (end < 0) {
                    throw new InvalidImageException("NRRD vector has no closing parenthesis");
                }
                out.add(value.substring(i, end + 1));
                i = end + 1;
            } else {
                int start = i;
                while (i < n
                        && !Character.isWhitespace(value.charAt(i))
                        && value.charAt(i) != '(') {
                    i++;
                }
                out.add(value.substring(start, i));
            }
        }
        return out;
    }

    static String[] tokens(String value) {
        String t = value.trim();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    static long parseLong(String text, String what) throws InvalidImageException {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidImageException(
                    "NRRD " + what + " value '" + abbreviate(text) + "' is not an integer");
        }
    }

    static double parseDouble(String text, String what) throws InvalidImageException {
        String t = text.trim();
        if (t.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new InvalidImageException(
                    "NRRD " + what + " value '" + abbreviate(text) + "' is not a number");
        }
    }

    static String abbreviate(String text) {
        String t = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder sb = new StringBuilder(t.length());
        for (char c : t.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
