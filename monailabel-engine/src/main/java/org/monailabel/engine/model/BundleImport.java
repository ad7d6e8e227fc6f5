package org.monailabel.engine.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.inferer.BlendMode;

/**
 * Imports a TorchScript model, on its own or from a MONAI bundle folder, as a served model with its
 * own card. From a bundle it reads the label names from {@code configs/metadata.json} ({@code
 * network_data_format.outputs.pred.channel_def}) and, where {@code configs/inference.json} states
 * them as plain numbers, the spacing ({@code Spacingd.pixdim}), the intensity window ({@code
 * ScaleIntensityRanged}) and the sliding-window settings ({@code SlidingWindowInferer}); everything
 * else comes from the given defaults.
 */
public final class BundleImport {
    private BundleImport() {}

    /**
     * Imports into {@code targetDir}: copies the TorchScript file there as {@code model.ts} and
     * writes the card.
     *
     * @param source a MONAI bundle folder (with {@code models/model.ts}) or a TorchScript file
     * @param defaults the card to start from (name, labels, spacing, window, ROI...); its network
     *     and weights are replaced
     */
    public static ModelCard importModel(Path source, ModelCard defaults, Path targetDir)
            throws IOException {
        Path weights;
        ModelCard card = defaults;
        if (Files.isDirectory(source)) {
            weights = source.resolve("models").resolve("model.ts");
            if (!Files.isRegularFile(weights)) {
                throw new NoSuchFileException("Bundle has no models/model.ts");
            }
            card = fromBundle(source, defaults);
        } else {
            weights = source;
        }
        card = card.withTorchScript(Map.of("imported_from", source.getFileName().toString()));
        Files.createDirectories(targetDir);
        Path tmp = targetDir.resolve(".model.ts.tmp");
        Files.copy(weights, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
                tmp,
                targetDir.resolve("model.ts"),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        card.write(targetDir.resolve(ModelCard.FILE_NAME));
        return card;
    }

    /** The defaults updated with what the bundle's configs state. */
    static ModelCard fromBundle(Path bundle, ModelCard defaults) throws IOException {
        Map<String, Integer> labels = defaults.labels();
        Path metadata = bundle.resolve("configs").resolve("metadata.json");
        if (Files.isRegularFile(metadata)) {
            labels = labelsFrom(parse(metadata)).orElse(labels);
        }
        double[] spacing = defaults.spacing();
        IntensityWindow window = defaults.intensity();
        int[] roi = defaults.roiSize();
        double overlap = defaults.overlap();
        int batch = defaults.swBatchSize();
        BlendMode blend = defaults.blend();
        Path inference = bundle.resolve("configs").resolve("inference.json");
        if (Files.isRegularFile(inference)) {
            for (JsonObject o : targets(parse(inference))) {
                String target = o.get("_target_").getAsString();
                if (target.endsWith("Spacingd") || target.endsWith("Spacing")) {
                    spacing = numbers(o.get("pixdim"), 3).orElse(spacing);
                } else if (target.endsWith("ScaleIntensityRanged")
                        || target.endsWith("ScaleIntensityRange")) {
                    Optional<double[]> v = numbers(o, "a_min", "a_max", "b_min", "b_max");
                    if (v.isPresent()) {
                        double[] w = v.get();
                        boolean clip =
                                !o.has("clip")
                                        || !o.get("clip").isJsonPrimitive()
                                        || o.get("clip").getAsBoolean();
                        window = new IntensityWindow(w[0], w[1], w[2], w[3], clip, false, -1, 1);
                    }
                } else if (target.endsWith("SlidingWindowInferer")) {
                    roi =
                            numbers(o.get("roi_size"), 3)
                                    .map(d -> new int[] {(int) d[0], (int) d[1], (int) d[2]})
                                    .orElse(roi);
                    overlap = number(o.get("overlap")).orElse(overlap);
                    batch = number(o.get("sw_batch_size")).map(Double::intValue).orElse(batch);
                    if (o.has("mode") && o.get("mode").isJsonPrimitive()) {
                        blend =
                                "gaussian".equalsIgnoreCase(o.get("mode").getAsString())
                                        ? BlendMode.GAUSSIAN
                                        : BlendMode.CONSTANT;
                    }
                }
            }
        }
        return new ModelCard(
                defaults.name(),
                defaults.version(),
                defaults.network(),
                defaults.hyperparameters(),
                defaults.weights(),
                labels,
                spacing,
                window,
                roi,
                overlap,
                batch,
                blend,
                defaults.provenance());
    }

    private static JsonElement parse(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new InvalidInputException(
                    "Bundle file " + file.getFileName() + " is not valid JSON", e);
        }
    }

    private static Optional<Map<String, Integer>> labelsFrom(JsonElement metadata) {
        try {
            JsonObject channelDef =
                    metadata.getAsJsonObject()
                            .getAsJsonObject("network_data_format")
                            .getAsJsonObject("outputs")
                            .getAsJsonObject("pred")
                            .getAsJsonObject("channel_def");
            Map<Integer, String> byIndex = new TreeMap<>();
            channelDef
                    .entrySet()
                    .forEach(
                            e ->
                                    byIndex.put(
                                            Integer.parseInt(e.getKey().trim()),
                                            e.getValue().getAsString()));
            Map<String, Integer> labels = new LinkedHashMap<>();
            byIndex.forEach((i, n) -> labels.put(n, i));
            return labels.isEmpty() ? Optional.empty() : Optional.of(labels);
        } catch (RuntimeException e) {
            return Optional.empty(); // not stated in the usual place: keep the defaults
        }
    }

    /** Every JSON object with a string {@code _target_}, depth first. */
    private static List<JsonObject> targets(JsonElement root) {
        List<JsonObject> found = new ArrayList<>();
        collect(root, found);
        return found;
    }

    private static void collect(JsonElement e, List<JsonObject> found) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("_target_") && o.get("_target_").isJsonPrimitive()) {
                found.add(o);
            }
            o.entrySet().forEach(entry -> collect(entry.getValue(), found));
        } else if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(child -> collect(child, found));
        }
    }

    private static Optional<Double> number(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
                ? Optional.of(e.getAsDouble())
                : Optional.empty();
    }

    private static Optional<double[]> numbers(JsonElement e, int n) {
        if (e == null || !e.isJsonArray()) {
            return Optional.empty();
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() != n) {
            return Optional.empty();
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            Optional<Double> d = number(a.get(i));
            if (d.isEmpty()) {
                return Optional.empty();
            }
            v[i] = d.get();
        }
        return Optional.of(v);
    }

    private static Optional<double[]> numbers(JsonObject o, String... keys) {
        double[] v = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            Optional<Double> d = number(o.get(keys[i]));
            if (d.isEmpty()) {
                return Optional.empty();
            }
            v[i] = d.get();
        }
        return Optional.of(v);
    }
}
