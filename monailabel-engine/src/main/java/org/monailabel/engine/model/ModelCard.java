package org.monailabel.engine.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.monailabel.engine.inferer.BlendMode;

/**
 * What a saved model is and how to run it, stored as JSON beside its weights: the network kind and
 * hyper-parameters, the label names and indices, the pre-processing (target spacing, intensity
 * window) and sliding-window settings, a version and the training provenance. Loading a model needs
 * nothing but its card: a new card never needs code changes.
 *
 * @param name model name
 * @param version increasing version number (0 for an imported model)
 * @param network {@code unet} (our DJL network) or {@code torchscript}
 * @param hyperparameters the network's constructor arguments ({@code UNetConfig} for {@code unet})
 * @param weights the weights file, relative to the card's folder
 * @param labels label name to output channel / voxel value, {@code background} 0 included
 * @param spacing target voxel spacing in mm after reorientation to RAS
 * @param intensity intensity pre-processing
 * @param roiSize sliding-window size
 * @param overlap sliding-window overlap
 * @param swBatchSize windows per network call
 * @param blend sliding-window blending
 * @param provenance free-form: when, from what and how it was trained
 */
public record ModelCard(
        String name,
        int version,
        String network,
        Map<String, Object> hyperparameters,
        String weights,
        Map<String, Integer> labels,
        double[] spacing,
        IntensityWindow intensity,
        int[] roiSize,
        double overlap,
        int swBatchSize,
        BlendMode blend,
        Map<String, Object> provenance) {
    /** The card's file name beside the weights. */
    public static final String FILE_NAME = "model.json";

    private static final Gson GSON =
            new GsonBuilder()
                    .setPrettyPrinting()
                    .disableHtmlEscaping()
                    .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
                    .create();

    public ModelCard {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(intensity, "intensity");
        Objects.requireNonNull(blend, "blend");
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        spacing = spacing.clone();
        roiSize = roiSize.clone();
        if (spacing.length != 3
                || roiSize.length != 3
                || Arrays.stream(roiSize).anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException(
                    "Model card needs 3 spacings and 3 positive ROI sizes");
        }
        if (weights.contains("/") || weights.contains("\\") || weights.contains("..")) {
            throw new IllegalArgumentException(
                    "Model card weights must be a file name beside the card: " + weights);
        }
    }

    /** This card with another version and provenance (for a newly trained model). */
    public ModelCard withVersion(int newVersion, Map<String, Object> newProvenance) {
        return new ModelCard(
                name,
                newVersion,
                network,
                hyperparameters,
                weights,
                labels,
                spacing,
                intensity,
                roiSize,
                overlap,
                swBatchSize,
                blend,
                newProvenance);
    }

    /**
     * This card for a TorchScript network in {@code model.ts} (no hyper-parameters), with the same
     * labels, pre-processing and sliding window.
     */
    public ModelCard withTorchScript(Map<String, Object> newProvenance) {
        return new ModelCard(
                name,
                version,
                "torchscript",
                Map.of(),
                "model.ts",
                labels,
                spacing,
                intensity,
                roiSize,
                overlap,
                swBatchSize,
                blend,
                newProvenance);
    }

    /** Label names to values without {@code background}, in value order (what clients show). */
    public Map<String, Integer> foregroundLabels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        labels.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @Override
    public double[] spacing() {
        return spacing.clone();
    }

    @Override
    public int[] roiSize() {
        return roiSize.clone();
    }

    /** The card as a JSON tree of maps and lists. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "monailabel-model-card/1");
        m.put("name", name);
        m.put("version", version);
        m.put("network", Map.of("kind", network, "hyperparameters", hyperparameters));
        m.put("weights", weights);
        m.put("labels", labels);
        m.put("spacing", Arrays.stream(spacing).boxed().toList());
        m.put("intensity", intensity.toMap());
        m.put("roi_size", Arrays.stream(roiSize).boxed().toList());
        m.put("overlap", overlap);
        m.put("sw_batch_size", swBatchSize);
        m.put("blend", blend.name().toLowerCase(Locale.ROOT));
        m.put("provenance", provenance);
        return m;
    }

    /** Writes the card atomically (temporary file, then rename). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, GSON.toJson(toMap()), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a card.
     *
     * @throws IOException if unreadable, or {@link IllegalArgumentException} naming the bad field
     */
    public static ModelCard read(Path file) throws IOException {
        Map<String, Object> m;
        try {
            m =
                    GSON.fromJson(
                            Files.readString(file, StandardCharsets.UTF_8),
                            new TypeToken<Map<String, Object>>() {}.getType());
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(
                    "Model card " + file.getFileName() + " is not valid JSON: " + e.getMessage(),
                    e);
        }
        if (m == null) {
            throw new IllegalArgumentException("Model card " + file.getFileName() + " is empty");
        }
        return fromMap(m);
    }

    /** A card from its JSON tree. */
    public static ModelCard fromMap(Map<String, ?> m) {
        Map<String, ?> net = map(m, "network");
        Map<String, Integer> labels = new LinkedHashMap<>();
        map(m, "labels")
                .forEach(
                        (k, v) -> {
                            if (!(v instanceof Number n)) {
                                throw new IllegalArgumentException(
                                        "Model card label '" + k + "' must have an integer value");
                            }
                            labels.put(k, n.intValue());
                        });
        return new ModelCard(
                string(m, "name"),
                m.get("version") instanceof Number n ? n.intValue() : 0,
                string(net, "kind"),
                castMap(
                        net.get("hyperparameters") == null
                                ? Map.of()
                                : map(net, "hyperparameters")),
                string(m, "weights"),
                labels,
                doubles(m, "spacing"),
                IntensityWindow.fromMap(map(m, "intensity")),
                ints(m, "roi_size"),
                m.get("overlap") instanceof Number o ? o.doubleValue() : 0.25,
                m.get("sw_batch_size") instanceof Number b ? b.intValue() : 1,
                BlendMode.valueOf(
                        String.valueOf(m.get("blend") == null ? "constant" : m.get("blend"))
                                .toUpperCase(Locale.ROOT)),
                m.get("provenance") == null ? Map.of() : castMap(map(m, "provenance")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<String, ?> m) {
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> map(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof Map<?, ?> v)) {
            throw new IllegalArgumentException("Model card needs an object '" + key + "'");
        }
        return (Map<String, ?>) v;
    }

    private static String string(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException("Model card needs a string '" + key + "'");
        }
        return s;
    }

    private static double[] doubles(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> l) || !l.stream().allMatch(Number.class::isInstance)) {
            throw new IllegalArgumentException("Model card needs a list of numbers '" + key + "'");
        }
        return l.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    private static int[] ints(Map<String, ?> m, String key) {
        return Arrays.stream(doubles(m, key)).mapToInt(d -> (int) d).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelCard c && GSON.toJson(toMap()).equals(GSON.toJson(c.toMap()));
    }

    @Override
    public int hashCode() {
        return GSON.toJson(toMap()).hashCode();
    }

    @Override
    public String toString() {
        return "ModelCard[" + name + " v" + version + ", " + network + "]";
    }
}
