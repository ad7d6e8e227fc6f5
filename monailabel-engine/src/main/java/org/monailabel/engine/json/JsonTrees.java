package org.monailabel.engine.json;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.api.error.InvalidInputException;

/**
 * Converts between Gson trees and plain JDK values without losing number text.
 *
 * <p>Trees parsed with {@link JsonParser} keep numbers as {@code LazilyParsedNumber}, which writes
 * back exactly the text it was read from ({@code 1733700000} stays an integer). Code that must
 * preserve unknown keys verbatim therefore keeps {@link JsonObject}s and converts only at the API
 * boundary: {@link #toJava} gives {@code Long} for integral numbers that fit, {@code Double}
 * otherwise, {@code List}, {@code LinkedHashMap}, {@code Boolean}, {@code String} and {@code null};
 * {@link #toJson} goes back. Stateless and thread-safe.
 */
public final class JsonTrees {
    /** Pretty printing with a 2-space indent, as MONAI Label writes its files; no HTML escaping. */
    public static final Gson PRETTY =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    /** Compact single-line output; no HTML escaping. */
    public static final Gson COMPACT =
            new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private JsonTrees() {}

    /** Parses JSON text into a tree; throws {@link JsonParseException} on malformed input. */
    public static JsonElement parse(String text) {
        return JsonParser.parseString(text);
    }

    /**
     * Parses JSON text that must be an object.
     *
     * @throws InvalidInputException if the text is not valid JSON or not an object
     */
    public static JsonObject parseObject(String text) {
        JsonElement element;
        try {
            element = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new InvalidInputException("Invalid JSON: " + e.getMessage(), e);
        }
        if (!element.isJsonObject()) {
            throw new InvalidInputException("Expected a JSON object");
        }
        return element.getAsJsonObject();
    }

    /** A JDK value for a JSON tree: see the class comment for the types. */
    public static Object toJava(JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return null;
        }
        if (element.isJsonObject()) {
            return toJavaMap(element.getAsJsonObject());
        }
        if (element.isJsonArray()) {
            JsonArray array = element.getAsJsonArray();
            List<Object> list = new ArrayList<>(array.size());
            for (JsonElement item : array) {
                list.add(toJava(item));
            }
            return list;
        }
        JsonPrimitive primitive = element.getAsJsonPrimitive();
        if (primitive.isBoolean()) {
            return primitive.getAsBoolean();
        }
        if (primitive.isNumber()) {
            return toJavaNumber(primitive.getAsNumber());
        }
        return primitive.getAsString();
    }

    /** A mutable {@link LinkedHashMap} copy of a JSON object, in key order. */
    public static Map<String, Object> toJavaMap(JsonObject object) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            map.put(entry.getKey(), toJava(entry.getValue()));
        }
        return map;
    }

    private static Object toJavaNumber(Number number) {
        if (number instanceof Long
                || number instanceof Integer
                || number instanceof Short
                || number instanceof Byte) {
            return number.longValue();
        }
        if (number instanceof Double || number instanceof Float) {
            return number.doubleValue();
        }
        String text = number.toString();
        if (isIntegral(text)) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return new BigInteger(text).doubleValue(); // too big for a long
            }
        }
        return Double.parseDouble(text);
    }

    private static boolean isIntegral(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (start == text.length()) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * A JSON tree for a JDK value: {@code Map} (keys turned into strings), {@code Collection} or
     * array, {@code Number}, {@code Boolean}, {@code CharSequence}, {@code Character}, {@code
     * null}, or a {@link JsonElement} (deep-copied).
     *
     * @throws InvalidInputException for other types and for non-finite numbers
     */
    public static JsonElement toJson(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof JsonElement element) {
            return element.deepCopy();
        }
        if (value instanceof Map<?, ?> map) {
            return toJsonObject(map);
        }
        if (value instanceof Collection<?> collection) {
            JsonArray array = new JsonArray(collection.size());
            collection.forEach(item -> array.add(toJson(item)));
            return array;
        }
        if (value instanceof Object[] items) {
            JsonArray array = new JsonArray(items.length);
            for (Object item : items) {
                array.add(toJson(item));
            }
            return array;
        }
        if (value instanceof Boolean bool) {
            return new JsonPrimitive(bool);
        }
        if (value instanceof Number number) {
            return toJsonNumber(number);
        }
        if (value instanceof CharSequence || value instanceof Character) {
            return new JsonPrimitive(value.toString());
        }
        throw new InvalidInputException(
                "Unsupported JSON value type " + value.getClass().getSimpleName());
    }

    /** A JSON object for a JDK map; see {@link #toJson}. */
    public static JsonObject toJsonObject(Map<?, ?> map) {
        JsonObject object = new JsonObject();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            object.add(String.valueOf(entry.getKey()), toJson(entry.getValue()));
        }
        return object;
    }

    private static JsonElement toJsonNumber(Number number) {
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new InvalidInputException("JSON numbers must be finite, got " + d);
            }
            return new JsonPrimitive(d);
        }
        if (number instanceof Long
                || number instanceof Integer
                || number instanceof Short
                || number instanceof Byte
                || number instanceof BigInteger
                || number instanceof BigDecimal) {
            return new JsonPrimitive(number);
        }
        return toJsonNumber(Double.valueOf(number.doubleValue())); // other Number types
    }

    /** Writes {@code element} compactly on one line (JSON strings escape line breaks). */
    public static String toCompactString(JsonElement element) {
        return COMPACT.toJson(element);
    }

    /** Writes {@code element} pretty-printed with a 2-space indent. */
    public static String toPrettyString(JsonElement element) {
        return PRETTY.toJson(element);
    }
}
