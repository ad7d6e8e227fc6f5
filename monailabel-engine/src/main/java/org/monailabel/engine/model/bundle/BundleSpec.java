package org.monailabel.engine.model.bundle;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.monailabel.api.ModelType;
import org.monailabel.engine.inferer.BlendMode;

/**
 * What a MONAI bundle says about serving its model, read strictly from {@code
 * configs/metadata.json} (the labels: {@code network_data_format.outputs.pred.channel_def}) and
 * {@code configs/inference.json} ({@code preprocessing}, {@code inferer}, {@code postprocessing}).
 * The transforms a server can reproduce exactly are {@link BundleStep}s; any other transform, and
 * any setting of a known one that would change the result in a way not reproduced, is a {@link
 * BundleException} naming the bundle, the transform and the key. Settings that do not change the
 * result (devices, progress bars, where {@code SaveImaged} writes) are accepted and ignored.
 *
 * @param name the bundle's name (its folder's)
 * @param labels the foreground labels by name, as {@code /info/} lists them
 * @param type {@code deepedit} or {@code deepgrow} when the bundle's name says so, else
 *     segmentation
 * @param pre the pre-processing, in order
 * @param inferer the sliding window
 * @param post the post-processing, in order ({@code SaveImaged} left out)
 */
public record BundleSpec(
        String name,
        Map<String, Integer> labels,
        ModelType type,
        List<BundleStep> pre,
        Inferer inferer,
        List<BundleStep> post) {
    public BundleSpec {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(type, "type");
        pre = List.copyOf(pre);
        Objects.requireNonNull(inferer, "inferer");
        post = List.copyOf(post);
    }

    /**
     * {@code SlidingWindowInferer}'s settings.
     *
     * @param roiSize the window, in voxels of the pre-processed image
     * @param swBatchSize windows run together
     * @param overlap the windows' overlap, in [0, 1)
     * @param mode how overlapping windows are blended
     */
    public record Inferer(int[] roiSize, int swBatchSize, double overlap, BlendMode mode) {}

    /** MONAI's keys of a config item that are about the config, not the transform. */
    private static final Set<String> CONFIG_KEYS = Set.of("_target_", "_desc_", "_disabled_");

    /** Keys any dictionary transform may have that do not change the result. */
    private static final Set<String> HARMLESS =
            Set.of("keys", "allow_missing_keys", "meta_keys", "meta_key_postfix", "lazy");

    /** Reads a bundle folder's configs. */
    public static BundleSpec read(Path bundleDir) throws IOException {
        String name = bundleDir.toAbsolutePath().normalize().getFileName().toString();
        BundleConfig inference = BundleConfig.read(bundleDir, name, "inference.json");
        BundleConfig metadata = BundleConfig.read(bundleDir, name, "metadata.json");
        if (!Files.isRegularFile(bundleDir.resolve("models").resolve("model.ts"))) {
            throw new BundleException(
                    name,
                    "models/model.ts is missing (the server serves TorchScript: python -m "
                            + "monai.bundle ckpt_export makes it)");
        }
        return of(name, inference, metadata);
    }

    /** The spec of a bundle's two configs. */
    public static BundleSpec of(String name, BundleConfig inference, BundleConfig metadata) {
        return new Reader(name, inference).read(labels(name, metadata));
    }

    private static Map<String, Integer> labels(String name, BundleConfig metadata) {
        JsonElement def =
                metadata.get("network_data_format#outputs#pred#channel_def")
                        .orElseThrow(
                                () ->
                                        new BundleException(
                                                name,
                                                "configs/metadata.json states no"
                                                    + " network_data_format.outputs.pred.channel_def"
                                                    + " (the label names)"));
        if (!def.isJsonObject() || def.getAsJsonObject().size() == 0) {
            throw new BundleException(
                    name, "channel_def in configs/metadata.json is not a map of channel to name");
        }
        Map<Integer, String> byIndex = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : def.getAsJsonObject().entrySet()) {
            int index;
            try {
                index = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw new BundleException(
                        name, "channel_def key '" + e.getKey() + "' is not a channel number");
            }
            if (!e.getValue().isJsonPrimitive()) {
                throw new BundleException(name, "channel_def " + index + " is not a name");
            }
            byIndex.put(index, e.getValue().getAsString());
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        byIndex.forEach(
                (index, label) -> {
                    if (index != 0 && labels.put(label, index) != null) {
                        throw new BundleException(name, "channel_def names '" + label + "' twice");
                    }
                });
        return labels;
    }

    /** Reads the transforms of one config. */
    private static final class Reader {
        private final String bundle;
        private final BundleConfig config;

        Reader(String bundle, BundleConfig config) {
            this.bundle = bundle;
            this.config = config;
        }

        BundleSpec read(Map<String, Integer> labels) {
            List<BundleStep> pre = new ArrayList<>();
            for (Located t : transforms("preprocessing")) {
                step(t, true).ifPresent(pre::add);
            }
            if (pre.isEmpty() || !(pre.get(0) instanceof BundleStep.LoadImage)) {
                throw new BundleException(bundle, "preprocessing does not start with LoadImaged");
            }
            List<BundleStep> post = new ArrayList<>();
            for (Located t : transforms("postprocessing")) {
                step(t, false).ifPresent(post::add);
            }
            String lower = bundle.toLowerCase(Locale.ROOT);
            ModelType type =
                    lower.contains("deepedit")
                            ? ModelType.DEEPEDIT
                            : lower.contains("deepgrow")
                                    ? ModelType.DEEPGROW
                                    : ModelType.SEGMENTATION;
            return new BundleSpec(bundle, labels, type, pre, inferer(), post);
        }

        private BundleException error(String message) {
            return new BundleException(bundle, message);
        }

        /** A transform's config and its id in the config file. */
        private record Located(JsonObject config, String id) {}

        /** The transforms of a {@code Compose} item (or a plain list). */
        private List<Located> transforms(String id) {
            String where = id;
            JsonElement item =
                    config.item(id)
                            .orElseThrow(() -> error("configs/inference.json has no '" + id + "'"));
            JsonElement list = item;
            if (item.isJsonObject()) {
                JsonObject compose = item.getAsJsonObject();
                String target = target(compose, id);
                if (!target.equals("Compose")) {
                    throw error(id + " is a " + target + ", not a Compose of transforms");
                }
                for (String key : compose.keySet()) {
                    if (!CONFIG_KEYS.contains(key)
                            && !key.equals("transforms")
                            && !key.equals("map_items")) {
                        throw error(id + ": Compose key '" + key + "' is not supported");
                    }
                }
                list = compose.get("transforms");
                where = id + "#transforms";
                list = list == null ? null : config.shallow(list, where);
            }
            if (list == null || !list.isJsonArray()) {
                throw error(id + " has no list of transforms");
            }
            List<Located> out = new ArrayList<>();
            JsonArray array = list.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                JsonElement e = config.shallow(array.get(i), where + "#" + i);
                if (!e.isJsonObject()) {
                    throw error(
                            id + ": a transform that is not a {\"_target_\": ...} object: " + e);
                }
                JsonObject t = e.getAsJsonObject();
                if (!(t.has("_disabled_")
                        && t.get("_disabled_").isJsonPrimitive()
                        && t.get("_disabled_").getAsBoolean())) {
                    out.add(new Located(t, where + "#" + i));
                }
            }
            return out;
        }

        private String target(JsonObject o, String where) {
            JsonElement t = o.get("_target_");
            if (t == null || !t.isJsonPrimitive()) {
                throw error(where + " has no _target_");
            }
            String name = t.getAsString();
            return name.substring(name.lastIndexOf('.') + 1);
        }

        private Optional<BundleStep> step(Located located, boolean pre) {
            JsonObject t = located.config();
            String name =
                    target(t, pre ? "a preprocessing transform" : "a postprocessing transform");
            Keys k = new Keys(name, t, located.id());
            BundleStep step;
            switch (name) {
                case "LoadImaged", "LoadImage" -> {
                    k.ignore(
                            "reader",
                            "image_only",
                            "simple_keys",
                            "prune_meta_pattern",
                            "prune_meta_sep",
                            "overwriting",
                            "expanduser",
                            "dtype");
                    k.only(
                            "ensure_channel_first",
                            new JsonPrimitive(false),
                            new JsonPrimitive(true));
                    step = new BundleStep.LoadImage();
                }
                case "EnsureChannelFirstd", "EnsureChannelFirst" -> {
                    k.ignore("strict_check");
                    k.only("channel_dim", JsonNull.INSTANCE, new JsonPrimitive("no_channel"));
                    step = new BundleStep.EnsureChannelFirst();
                }
                case "Orientationd", "Orientation" -> {
                    String axcodes = k.string("axcodes", null);
                    if (axcodes == null || !axcodes.matches("[LRAPSIlrapsi]{3}")) {
                        throw error(
                                name
                                        + ".axcodes '"
                                        + axcodes
                                        + "' is not three axis codes such as RAS");
                    }
                    k.only("as_closest_canonical", new JsonPrimitive(false));
                    k.only("labels", JsonNull.INSTANCE);
                    step = new BundleStep.Orientation(axcodes.toUpperCase(Locale.ROOT));
                }
                case "Spacingd", "Spacing" -> {
                    double[] pixdim = k.numbers("pixdim", 3);
                    if (Arrays.stream(pixdim).anyMatch(d -> !(d > 0))) {
                        throw error(
                                name
                                        + ".pixdim must be three positive spacings, got "
                                        + Arrays.toString(pixdim));
                    }
                    String mode = k.string("mode", "bilinear");
                    if (!mode.equals("bilinear") && !mode.equals("nearest")) {
                        throw error(
                                name + ".mode '" + mode + "' is not supported (bilinear, nearest)");
                    }
                    k.only("diagonal", new JsonPrimitive(false));
                    k.only("padding_mode", new JsonPrimitive("border"));
                    k.only("align_corners", new JsonPrimitive(false));
                    k.only("scale_extent", new JsonPrimitive(false));
                    k.only("recompute_affine", new JsonPrimitive(false));
                    k.ignore("dtype", "ensure_same_shape");
                    step = new BundleStep.Spacing(pixdim, mode);
                }
                case "ScaleIntensityRanged", "ScaleIntensityRange" -> {
                    double aMin = k.number("a_min");
                    double aMax = k.number("a_max");
                    if (aMin == aMax) {
                        throw error(name + ": a_min and a_max are equal (" + aMin + ")");
                    }
                    step =
                            new BundleStep.ScaleIntensityRange(
                                    aMin,
                                    aMax,
                                    k.optionalNumber("b_min"),
                                    k.optionalNumber("b_max"),
                                    k.bool("clip", false));
                    k.ignore("dtype");
                }
                case "NormalizeIntensityd", "NormalizeIntensity" -> {
                    step =
                            new BundleStep.NormalizeIntensity(
                                    k.optionalNumber("subtrahend"),
                                    k.optionalNumber("divisor"),
                                    k.bool("nonzero", false),
                                    k.bool("channel_wise", false));
                    k.ignore("dtype");
                }
                case "ScaleIntensityd", "ScaleIntensity" -> {
                    k.only("factor", JsonNull.INSTANCE);
                    k.only("channel_wise", new JsonPrimitive(false));
                    k.ignore("dtype");
                    step =
                            new BundleStep.ScaleIntensity(
                                    k.numberOr("minv", 0), k.numberOr("maxv", 1));
                }
                case "CropForegroundd" -> {
                    String source = k.string("source_key", null);
                    if (source == null) {
                        throw error(name + " needs source_key");
                    }
                    int[] margin = k.intsOrInt("margin", 0);
                    int divisible = (int) k.numberOr("k_divisible", 1);
                    k.only("select_fn", JsonNull.INSTANCE);
                    k.only("channel_indices", JsonNull.INSTANCE);
                    k.only("allow_smaller", new JsonPrimitive(true));
                    k.only("mode", new JsonPrimitive("constant"));
                    k.ignore("start_coord_key", "end_coord_key");
                    step = new BundleStep.CropForeground(source, margin, divisible);
                }
                case "EnsureTyped", "EnsureType", "ToTensord", "ToNumpyd" -> {
                    k.ignore("data_type", "dtype", "device", "wrap_sequence", "track_meta");
                    step = new BundleStep.EnsureType();
                }
                case "Activationsd", "Activations" -> {
                    boolean softmax = k.bool("softmax", false);
                    boolean sigmoid = k.bool("sigmoid", false);
                    k.only("other", JsonNull.INSTANCE);
                    if (softmax && sigmoid) {
                        throw error(name + ": softmax and sigmoid are both set");
                    }
                    step = new BundleStep.Activation(softmax, sigmoid);
                }
                case "Invertd" -> {
                    k.ignore(
                            "transform",
                            "orig_keys",
                            "orig_meta_keys",
                            "to_tensor",
                            "device",
                            "post_func");
                    step = new BundleStep.Invert(k.bool("nearest_interp", true));
                }
                case "AsDiscreted", "AsDiscrete" -> {
                    boolean argmax = k.bool("argmax", false);
                    Optional<Double> threshold = k.optionalNumber("threshold");
                    k.only("to_onehot", JsonNull.INSTANCE);
                    k.only("rounding", JsonNull.INSTANCE);
                    if (argmax == threshold.isPresent()) {
                        throw error(name + " needs either argmax: true or a threshold");
                    }
                    step = new BundleStep.AsDiscrete(argmax, threshold);
                }
                case "KeepLargestConnectedComponentd", "KeepLargestConnectedComponent" -> {
                    List<Integer> applied = new ArrayList<>();
                    JsonElement a = k.take("applied_labels");
                    if (a != null && !a.isJsonNull()) {
                        for (double d :
                                a.isJsonArray()
                                        ? k.asNumbers(a, "applied_labels", -1)
                                        : new double[] {k.asNumber(a, "applied_labels")}) {
                            applied.add((int) d);
                        }
                    }
                    k.only("is_onehot", JsonNull.INSTANCE, new JsonPrimitive(false));
                    k.only("connectivity", JsonNull.INSTANCE);
                    k.only("num_components", new JsonPrimitive(1));
                    step =
                            new BundleStep.KeepLargestComponent(
                                    applied, k.bool("independent", true));
                }
                case "SaveImaged", "SaveImage" -> {
                    if (pre) {
                        throw error("SaveImaged in preprocessing is not supported");
                    }
                    return Optional.empty(); // the server writes the result itself
                }
                default ->
                        throw error(
                                "transform '"
                                        + name
                                        + "' in "
                                        + (pre ? "preprocessing" : "postprocessing")
                                        + " is not supported");
            }
            k.rest(step instanceof BundleStep.EnsureType);
            return Optional.of(step);
        }

        private Inferer inferer() {
            JsonElement e =
                    config.item("inferer")
                            .orElseThrow(() -> error("configs/inference.json has no 'inferer'"));
            if (!e.isJsonObject()) {
                throw error("inferer is not a {\"_target_\": ...} object");
            }
            JsonObject o = e.getAsJsonObject();
            String name = target(o, "inferer");
            if (!name.equals("SlidingWindowInferer")) {
                throw error("inferer '" + name + "' is not supported (SlidingWindowInferer)");
            }
            Keys k = new Keys(name, o, "inferer");
            k.ignore(
                    "sw_device",
                    "device",
                    "progress",
                    "cache_roi_weight_map",
                    "cpu_thresh",
                    "buffer_steps",
                    "buffer_dim");
            int[] roi = k.intsOrInt("roi_size", -1);
            if (roi.length != 3 || Arrays.stream(roi).anyMatch(r -> r < 1)) {
                throw error(
                        name
                                + ".roi_size must be three positive sizes, got "
                                + Arrays.toString(roi));
            }
            int batch = (int) k.numberOr("sw_batch_size", 1);
            double overlap = k.numberOr("overlap", 0.25);
            if (batch < 1 || !(overlap >= 0 && overlap < 1)) {
                throw error(name + ": sw_batch_size must be at least 1 and overlap in [0, 1)");
            }
            String mode = k.string("mode", "constant");
            BlendMode blend =
                    switch (mode) {
                        case "constant" -> BlendMode.CONSTANT;
                        case "gaussian" -> BlendMode.GAUSSIAN;
                        default ->
                                throw error(
                                        name
                                                + ".mode '"
                                                + mode
                                                + "' is not supported (constant, gaussian)");
                    };
            k.only("sigma_scale", new JsonPrimitive(0.125));
            k.only("padding_mode", new JsonPrimitive("constant"));
            k.only("cval", new JsonPrimitive(0));
            k.only("with_coord", new JsonPrimitive(false));
            k.rest(false);
            return new Inferer(roi, batch, overlap, blend);
        }

        /** The keys of one transform, taken one by one; what is left at the end is refused. */
        private final class Keys {
            private final String transform;
            private final String id;
            private final Map<String, JsonElement> left = new LinkedHashMap<>();

            /**
             * @param id the transform's id in the config, for messages
             */
            Keys(String transform, JsonObject o, String id) {
                this.transform = transform;
                this.id = id;
                for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                    if (!CONFIG_KEYS.contains(e.getKey()) && !HARMLESS.contains(e.getKey())) {
                        left.put(e.getKey(), e.getValue());
                    }
                }
            }

            /** The key's value with its references and constants resolved; null when absent. */
            JsonElement take(String key) {
                JsonElement raw = left.remove(key);
                return raw == null ? null : config.resolve(raw, id + "#" + key);
            }

            void ignore(String... keys) {
                for (String key : keys) {
                    left.remove(key);
                }
            }

            /**
             * The key may be absent or one of {@code allowed} (values compared as numbers where
             * numeric).
             */
            void only(String key, JsonElement... allowed) {
                JsonElement v = take(key);
                if (v == null) {
                    return;
                }
                for (JsonElement a : allowed) {
                    if (same(a, v)) {
                        return;
                    }
                }
                throw error(
                        transform
                                + "."
                                + key
                                + " = "
                                + v
                                + " is not supported (only "
                                + Arrays.toString(allowed)
                                + ")");
            }

            private boolean same(JsonElement a, JsonElement v) {
                if (a.isJsonPrimitive()
                        && v.isJsonPrimitive()
                        && a.getAsJsonPrimitive().isNumber()
                        && v.getAsJsonPrimitive().isNumber()) {
                    return a.getAsDouble() == v.getAsDouble();
                }
                return a.equals(v);
            }

            String string(String key, String fallback) {
                JsonElement v = take(key);
                if (v == null || v.isJsonNull()) {
                    return fallback;
                }
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                    throw error(transform + "." + key + " must be a string, got " + v);
                }
                return v.getAsString();
            }

            boolean bool(String key, boolean fallback) {
                JsonElement v = take(key);
                if (v == null || v.isJsonNull()) {
                    return fallback;
                }
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
                    throw error(transform + "." + key + " must be true or false, got " + v);
                }
                return v.getAsBoolean();
            }

            double number(String key) {
                JsonElement v = take(key);
                if (v == null || v.isJsonNull()) {
                    throw error(transform + " needs " + key);
                }
                return asNumber(v, key);
            }

            double numberOr(String key, double fallback) {
                JsonElement v = take(key);
                return v == null || v.isJsonNull() ? fallback : asNumber(v, key);
            }

            Optional<Double> optionalNumber(String key) {
                JsonElement v = take(key);
                return v == null || v.isJsonNull()
                        ? Optional.empty()
                        : Optional.of(asNumber(v, key));
            }

            double asNumber(JsonElement v, String key) {
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                    throw error(transform + "." + key + " must be a number, got " + v);
                }
                return v.getAsDouble();
            }

            /** A list of {@code n} numbers ({@code n < 0}: any length). */
            double[] asNumbers(JsonElement v, String key, int n) {
                if (!v.isJsonArray() || (n >= 0 && v.getAsJsonArray().size() != n)) {
                    throw error(
                            transform
                                    + "."
                                    + key
                                    + " must be a list of "
                                    + (n < 0 ? "" : n + " ")
                                    + "numbers, got "
                                    + v);
                }
                JsonArray a = v.getAsJsonArray();
                double[] out = new double[a.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = asNumber(a.get(i), key);
                }
                return out;
            }

            double[] numbers(String key, int n) {
                JsonElement v = take(key);
                if (v == null || v.isJsonNull()) {
                    throw error(transform + " needs " + key);
                }
                return asNumbers(v, key, n);
            }

            /** Three integers, or one for all three axes ({@code fallback < 0}: required). */
            int[] intsOrInt(String key, int fallback) {
                JsonElement v = take(key);
                if (v == null || v.isJsonNull()) {
                    if (fallback < 0) {
                        throw error(transform + " needs " + key);
                    }
                    return new int[] {fallback, fallback, fallback};
                }
                double[] d =
                        v.isJsonArray()
                                ? asNumbers(v, key, 3)
                                : new double[] {
                                    asNumber(v, key), asNumber(v, key), asNumber(v, key)
                                };
                int[] out = new int[3];
                for (int i = 0; i < 3; i++) {
                    if (d[i] != Math.rint(d[i])) {
                        throw error(transform + "." + key + " must be whole numbers, got " + v);
                    }
                    out[i] = (int) d[i];
                }
                return out;
            }

            /**
             * Refuses what was not taken; {@code lenient} accepts anything (a transform that
             * changes nothing).
             */
            void rest(boolean lenient) {
                if (!lenient && !left.isEmpty()) {
                    String key = left.keySet().iterator().next();
                    throw error(transform + ": key '" + key + "' is not supported");
                }
            }
        }
    }
}
