package org.monailabel.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.error.InvalidInputException;

/**
 * The app settings given on the command line as {@code --conf KEY VALUE} (as in MONAI Label), with
 * typed getters. Values are strings; a malformed value is an {@link InvalidInputException} naming
 * the key. Immutable and thread-safe.
 *
 * <pre>{@code
 * AppConfig conf = AppConfig.of(Map.of("models", "segmentation,deepedit", "epistemic_samples", "5"));
 * int samples = conf.getInt("epistemic_samples", 10);
 * List<String> models = conf.getList("models");   // [segmentation, deepedit]
 * }</pre>
 */
public final class AppConfig {
    private final Map<String, String> values;

    private AppConfig(Map<String, String> values) {
        this.values = values;
    }

    public static AppConfig of(Map<String, String> values) {
        return new AppConfig(
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(values, "values"))));
    }

    public static AppConfig empty() {
        return of(Map.of());
    }

    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "Setting '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    public double getDouble(String key, double defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "Setting '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /**
     * {@code true}/{@code false} (any case), also {@code 1}/{@code 0} and {@code yes}/{@code no}.
     */
    public boolean getBoolean(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default ->
                    throw new InvalidInputException(
                            "Setting '" + key + "' must be true or false, got '" + v + "'");
        };
    }

    /** A comma-separated list, trimmed, without empty elements; empty when the key is absent. */
    public List<String> getList(String key) {
        String v = values.get(key);
        if (v == null) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return "AppConfig" + values;
    }
}
