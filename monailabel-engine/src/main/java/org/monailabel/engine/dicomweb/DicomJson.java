package org.monailabel.engine.dicomweb;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * One dataset in the DICOM JSON model (PS3.18 annex F.2), as QIDO-RS, WADO-RS metadata and STOW-RS
 * answer: attributes by tag ({@code group << 16 | element}), each with its VR and values.
 * Immutable.
 *
 * <p>Values are kept as: {@link String} for text VRs, UIDs, dates and (for PN) the {@code
 * Alphabetic} component group (F.2.2); {@link Long} or {@link Double} for numbers (IS, DS, US, UL,
 * FL, FD...: a value written as a JSON number, or a numeric string); {@link DicomJson} for the
 * items of an SQ. {@code BulkDataURI} and {@code InlineBinary} are kept apart ({@link
 * Attribute#bulkDataUri()}, {@link Attribute#inlineBinary()}), since they are not values. A JSON
 * {@code null} value (an empty value in a multi-valued attribute) is kept as an empty string.
 */
public final class DicomJson {
    /**
     * One attribute.
     *
     * @param vr its value representation, e.g. {@code UI}
     * @param values its values (see the class comment); empty when the attribute has none
     * @param bulkDataUri where its binary value can be retrieved, or null
     * @param inlineBinary its binary value in base64, or null
     */
    public record Attribute(
            String vr, List<Object> values, String bulkDataUri, String inlineBinary) {
        public Attribute {
            values = Collections.unmodifiableList(new ArrayList<>(values));
        }
    }

    private final Map<Integer, Attribute> attributes;

    private DicomJson(Map<Integer, Attribute> attributes) {
        this.attributes = Collections.unmodifiableMap(attributes);
    }

    /**
     * Parses a DICOM JSON array of datasets (what QIDO-RS and WADO-RS metadata answer); an empty
     * body reads as no datasets (some servers answer 204 or nothing for no match).
     *
     * @throws IOException if it is not a DICOM JSON array
     */
    public static List<DicomJson> parseArray(String json) throws IOException {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonArray()) {
                throw new IOException("DICOM JSON: expected an array of datasets");
            }
            List<DicomJson> out = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray()) {
                out.add(of(e));
            }
            return out;
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IOException("not DICOM JSON: " + e.getMessage(), e);
        }
    }

    /** Parses one DICOM JSON dataset (an object of tags). */
    public static DicomJson parse(String json) throws IOException {
        try {
            return of(JsonParser.parseString(json));
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IOException("not DICOM JSON: " + e.getMessage(), e);
        }
    }

    private static DicomJson of(JsonElement element) throws IOException {
        if (!element.isJsonObject()) {
            throw new IOException("DICOM JSON: a dataset must be an object");
        }
        Map<Integer, Attribute> attributes = new TreeMap<>(Integer::compareUnsigned);
        for (Map.Entry<String, JsonElement> e : element.getAsJsonObject().entrySet()) {
            int tag;
            try {
                if (e.getKey().length() != 8) {
                    throw new NumberFormatException();
                }
                tag = Integer.parseUnsignedInt(e.getKey(), 16);
            } catch (NumberFormatException bad) {
                throw new IOException("DICOM JSON: '" + e.getKey() + "' is not an 8-digit tag");
            }
            if (!e.getValue().isJsonObject()) {
                throw new IOException("DICOM JSON: attribute " + e.getKey() + " is not an object");
            }
            attributes.put(tag, attribute(e.getValue().getAsJsonObject()));
        }
        return new DicomJson(attributes);
    }

    private static Attribute attribute(JsonObject o) throws IOException {
        String vr = o.has("vr") && !o.get("vr").isJsonNull() ? o.get("vr").getAsString() : "UN";
        List<Object> values = new ArrayList<>();
        JsonElement value = o.get("Value");
        if (value != null && value.isJsonArray()) {
            for (JsonElement v : value.getAsJsonArray()) {
                values.add(value(vr, v));
            }
        }
        String bulk = o.has("BulkDataURI") ? o.get("BulkDataURI").getAsString() : null;
        String inline = o.has("InlineBinary") ? o.get("InlineBinary").getAsString() : null;
        return new Attribute(vr, values, bulk, inline);
    }

    private static Object value(String vr, JsonElement v) throws IOException {
        if (v.isJsonNull()) {
            return "";
        }
        if ("SQ".equals(vr)) {
            return of(v);
        }
        if ("PN".equals(vr) && v.isJsonObject()) {
            JsonElement alphabetic = v.getAsJsonObject().get("Alphabetic");
            return alphabetic == null || alphabetic.isJsonNull() ? "" : alphabetic.getAsString();
        }
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isNumber()) {
                return number(p.getAsString());
            }
            return p.getAsString();
        }
        if (v.isJsonArray()) {
            JsonArray a = v.getAsJsonArray();
            return a.toString();
        }
        return v.toString();
    }

    private static Object number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notWhole) {
            return Double.parseDouble(text);
        }
    }

    /** The tags present, in ascending order. */
    public Set<Integer> tags() {
        return attributes.keySet();
    }

    public boolean contains(int tag) {
        return attributes.containsKey(tag);
    }

    public Optional<Attribute> attribute(int tag) {
        return Optional.ofNullable(attributes.get(tag));
    }

    /** The VR of an attribute, if present. */
    public Optional<String> vr(int tag) {
        return attribute(tag).map(Attribute::vr);
    }

    /**
     * The first value as text (a number as written: {@code 4}, {@code 2.5}); empty when the
     * attribute is absent, has no value, or holds a sequence.
     */
    public Optional<String> string(int tag) {
        List<String> all = strings(tag);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Every value as text (sequence items left out). */
    public List<String> strings(int tag) {
        Attribute a = attributes.get(tag);
        if (a == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object v : a.values()) {
            if (v instanceof DicomJson) {
                continue;
            }
            out.add(text(v));
        }
        return out;
    }

    private static String text(Object v) {
        if (v instanceof Double) {
            double d = (Double) v;
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
        }
        return v.toString();
    }

    /**
     * Every value as an integer (JSON numbers and numeric strings, as IS and US are written).
     *
     * @throws NumberFormatException if a value is not a whole number
     */
    public int[] ints(int tag) {
        Attribute a = attributes.get(tag);
        if (a == null) {
            return new int[0];
        }
        int[] out = new int[a.values().size()];
        for (int i = 0; i < out.length; i++) {
            Object v = a.values().get(i);
            if (v instanceof Long) {
                out[i] = Math.toIntExact((Long) v);
            } else if (v instanceof Double && (Double) v == Math.rint((Double) v)) {
                out[i] = Math.toIntExact(Math.round((Double) v));
            } else {
                out[i] = Integer.parseInt(v.toString().strip());
            }
        }
        return out;
    }

    /** The first value as an integer, if present and whole. */
    public OptionalInt intValue(int tag) {
        try {
            int[] all = ints(tag);
            return all.length == 0 ? OptionalInt.empty() : OptionalInt.of(all[0]);
        } catch (NumberFormatException | ArithmeticException e) {
            return OptionalInt.empty();
        }
    }

    /** The items of a sequence attribute; empty when absent or empty. */
    public List<DicomJson> sequence(int tag) {
        Attribute a = attributes.get(tag);
        if (a == null) {
            return List.of();
        }
        List<DicomJson> out = new ArrayList<>();
        for (Object v : a.values()) {
            if (v instanceof DicomJson) {
                out.add((DicomJson) v);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<Integer, Attribute> e : attributes.entrySet()) {
            if (s.length() > 1) {
                s.append(", ");
            }
            s.append(String.format(Locale.ROOT, "%08X", e.getKey()))
                    .append(' ')
                    .append(e.getValue().vr())
                    .append(' ')
                    .append(e.getValue().values());
        }
        return s.append('}').toString();
    }
}
