package org.monailabel.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.error.InvalidInputException;

/**
 * The JSON parameters of a request (the {@code params} a client sends, merged over the task's
 * config defaults), with typed getters. Values are JSON-like: {@code String}, {@code Number},
 * {@code Boolean}, {@code List}, {@code Map} or {@code null}. A list default that the client did
 * not override means "its first element" (MONAI Label's choice lists). Immutable and thread-safe.
 *
 * <pre>{@code
 * Params p = Params.of(Map.of("largest_cc", true, "foreground", List.of(List.of(10, 20, 3))));
 * boolean lcc = p.getBoolean("largest_cc", false);
 * List<int[]> clicks = p.getPoints("foreground");
 * }</pre>
 *
 * <p>A value of the wrong type is an {@link InvalidInputException} naming the key.
 */
public final class Params {
    private static final Params EMPTY = new Params(Map.of());

    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = values;
    }

    /** Parameters from a JSON-like map (copied shallowly). */
    public static Params of(Map<String, ?> values) {
        return new Params(
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(values, "values"))));
    }

    /** No parameters. */
    public static Params empty() {
        return EMPTY;
    }

    /** These parameters over {@code defaults}: a key present here wins. */
    public Params withDefaults(Map<String, ?> defaults) {
        Map<String, Object> merged = new LinkedHashMap<>();
        defaults.forEach(
                (k, v) -> merged.put(k, v instanceof List<?> l && !l.isEmpty() ? l.get(0) : v));
        merged.putAll(values);
        return new Params(Collections.unmodifiableMap(merged));
    }

    /** The raw values (unmodifiable). */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key, String defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw wrongType(key, "a string", v);
    }

    public int getInt(String key, int defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        double d = number(key, v);
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw wrongType(key, "an integer", v);
        }
        return (int) d;
    }

    public double getDouble(String key, double defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : number(key, v);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw wrongType(key, "a boolean", v);
    }

    /** A list of strings; a single string counts as a one-element list. */
    public List<String> getStrings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw wrongType(key, "a list of strings", v);
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw wrongType(key, "a list of strings", v);
    }

    /**
     * A list of integer points such as clicks {@code [[i, j, k], ...]}: each an array of the
     * integers given (fractions are rounded). Missing key: an empty list.
     */
    public List<int[]> getPoints(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(key, "a list of points", v);
        }
        List<int[]> points = new ArrayList<>(list.size());
        for (Object p : list) {
            if (!(p instanceof List<?> coords) || coords.isEmpty()) {
                throw wrongType(key, "a list of points like [[i, j, k]]", v);
            }
            int[] point = new int[coords.size()];
            for (int i = 0; i < point.length; i++) {
                point[i] = (int) Math.round(number(key, coords.get(i)));
            }
            points.add(point);
        }
        return Collections.unmodifiableList(points);
    }

    private static double number(String key, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        } else if (v instanceof String s) {
            try {
                double d = Double.parseDouble(s.trim());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw wrongType(key, "a finite number", v);
    }

    private static InvalidInputException wrongType(String key, String expected, Object v) {
        String shown = String.valueOf(v);
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return new InvalidInputException(
                "Parameter '" + key + "' must be " + expected + ", got " + shown);
    }

    @Override
    public String toString() {
        return "Params" + values;
    }
}
