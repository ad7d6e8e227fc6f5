package org.monailabel.engine.model.bundle;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * One of a bundle's JSON configs ({@code configs/inference.json}, {@code configs/metadata.json})
 * with MONAI's references resolved on demand: {@code "@id"} is the item {@code id}, nested ids are
 * joined by {@code #} ({@code @network_def#out_channels}, {@code @preprocessing#transforms#0}), and
 * {@code "$..."} is a Python expression, accepted when it is a plain constant (a number, a quoted
 * string, {@code True}/{@code False}/{@code None}, a list or tuple of those, or a reference: {@code
 * "$@bundle_root"}). Only what is asked for is resolved, so the parts of a config a server does not
 * use ({@code datalist}, the evaluator) may hold any Python. Immutable.
 */
public final class BundleConfig {
    private final String bundle;
    private final String file;
    private final JsonElement root;

    private BundleConfig(String bundle, String file, JsonElement root) {
        this.bundle = bundle;
        this.file = file;
        this.root = root;
    }

    /**
     * Reads {@code configs/<file>} of a bundle folder.
     *
     * @throws BundleException if it is missing, not JSON (YAML configs are not read), or not an
     *     object
     */
    public static BundleConfig read(Path bundleDir, String bundleName, String file)
            throws IOException {
        Path path = bundleDir.resolve("configs").resolve(file);
        if (!Files.isRegularFile(path)) {
            String yaml = file.replaceFirst("\\.json$", ".yaml");
            if (Files.isRegularFile(bundleDir.resolve("configs").resolve(yaml))) {
                throw new BundleException(
                        bundleName,
                        "configs/"
                                + yaml
                                + " is YAML; only JSON configs are read (python -m monai.bundle"
                                + " ckpt_export or a YAML-to-JSON converter makes configs/"
                                + file
                                + ")");
            }
            throw new BundleException(
                    bundleName,
                    "configs/" + file + " is missing",
                    new NoSuchFileException(path.toString()));
        }
        return parse(bundleName, file, Files.readString(path, StandardCharsets.UTF_8));
    }

    /** A config from its text (for tests and zipped bundles). */
    public static BundleConfig parse(String bundleName, String file, String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new BundleException(
                    bundleName, "configs/" + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new BundleException(bundleName, "configs/" + file + " is not a JSON object");
        }
        return new BundleConfig(bundleName, file, root);
    }

    /** The bundle's name (its folder), for messages. */
    public String bundle() {
        return bundle;
    }

    /** The item {@code id} as written, without resolving it; empty when there is none. */
    public Optional<JsonElement> raw(String id) {
        JsonElement e = root;
        for (String part : id.split("#", -1)) {
            if (e.isJsonObject() && e.getAsJsonObject().has(part)) {
                e = e.getAsJsonObject().get(part);
            } else if (e.isJsonArray()
                    && part.matches("\\d{1,6}")
                    && Integer.parseInt(part) < e.getAsJsonArray().size()) {
                e = e.getAsJsonArray().get(Integer.parseInt(part));
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(e);
    }

    /**
     * The item {@code id} with its references and constant expressions resolved, all the way down;
     * empty when there is none.
     *
     * @throws BundleException for a reference to nothing, a cycle, or an expression that is not a
     *     plain constant
     */
    public Optional<JsonElement> get(String id) {
        Optional<JsonElement> raw = raw(id);
        if (raw.isEmpty()) {
            return raw;
        }
        Deque<String> path = new ArrayDeque<>();
        path.push(id);
        return Optional.of(resolve(raw.get(), id, path));
    }

    /**
     * The item {@code id} with only its own references followed (not those inside it), so that a
     * caller resolves just the parts it uses, with {@link #resolve(JsonElement, String)}; empty
     * when there is none.
     */
    public Optional<JsonElement> item(String id) {
        Optional<JsonElement> raw = raw(id);
        return raw.map(e -> shallow(e, id));
    }

    /**
     * {@code e} itself, or what it refers to when it is a reference ({@code "@id"}), followed until
     * it is not.
     */
    public JsonElement shallow(JsonElement e, String where) {
        Deque<String> path = new ArrayDeque<>();
        JsonElement current = e;
        String at = where;
        while (current.isJsonPrimitive()
                && current.getAsJsonPrimitive().isString()
                && current.getAsString().startsWith("@")) {
            String id = current.getAsString().substring(1);
            if (path.contains(id)) {
                throw new BundleException(bundle, at + ": reference '@" + id + "' is circular");
            }
            path.push(id);
            String from = at;
            current =
                    raw(id).orElseThrow(
                                    () ->
                                            new BundleException(
                                                    bundle,
                                                    from
                                                            + ": reference '@"
                                                            + id
                                                            + "' names nothing in configs/"
                                                            + file));
            at = id;
        }
        return current;
    }

    /**
     * {@code e} with its references and constant expressions resolved, all the way down.
     *
     * @param where the item's id, for messages
     */
    public JsonElement resolve(JsonElement e, String where) {
        return resolve(e, where, new ArrayDeque<>());
    }

    private JsonElement resolve(JsonElement e, String where, Deque<String> path) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            String s = e.getAsString();
            if (s.startsWith("@")) {
                return reference(s.substring(1), where, path);
            }
            if (s.startsWith("$")) {
                return new Expression(s.substring(1), where, path).parse();
            }
            if (s.startsWith("%")) {
                throw new BundleException(
                        bundle,
                        where + ": macro '" + s + "' (another file's item) is not supported");
            }
            return e;
        }
        if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                out.add(
                        entry.getKey(),
                        resolve(entry.getValue(), where + "#" + entry.getKey(), path));
            }
            return out;
        }
        if (e.isJsonArray()) {
            JsonArray out = new JsonArray();
            JsonArray in = e.getAsJsonArray();
            for (int i = 0; i < in.size(); i++) {
                out.add(resolve(in.get(i), where + "#" + i, path));
            }
            return out;
        }
        return e;
    }

    private JsonElement reference(String id, String where, Deque<String> path) {
        if (path.contains(id)) {
            throw new BundleException(bundle, where + ": reference '@" + id + "' is circular");
        }
        JsonElement target =
                raw(id).orElseThrow(
                                () ->
                                        new BundleException(
                                                bundle,
                                                where
                                                        + ": reference '@"
                                                        + id
                                                        + "' names nothing in configs/"
                                                        + file));
        path.push(id);
        try {
            return resolve(target, id, path);
        } finally {
            path.pop();
        }
    }

    /** A Python expression that must be a plain constant. */
    private final class Expression {
        private final String text;
        private final String where;
        private final Deque<String> path;
        private int pos;

        Expression(String text, String where, Deque<String> path) {
            this.text = text;
            this.where = where;
            this.path = path;
        }

        JsonElement parse() {
            JsonElement value = value();
            skipSpaces();
            if (pos != text.length()) {
                throw notConstant();
            }
            return value;
        }

        private BundleException notConstant() {
            return new BundleException(
                    bundle,
                    where
                            + ": expression '$"
                            + text
                            + "' is not a plain constant (a number, string, True/False/None, list"
                            + " or reference), which is all a server can take");
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private JsonElement value() {
            skipSpaces();
            if (pos >= text.length()) {
                throw notConstant();
            }
            char c = text.charAt(pos);
            if (c == '[' || c == '(') {
                return sequence(c == '[' ? ']' : ')');
            }
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '@') {
                int start = ++pos;
                while (pos < text.length()
                        && (Character.isLetterOrDigit(text.charAt(pos))
                                || "_#".indexOf(text.charAt(pos)) >= 0)) {
                    pos++;
                }
                return reference(text.substring(start, pos), where, path);
            }
            int start = pos;
            while (pos < text.length()
                    && (Character.isLetterOrDigit(text.charAt(pos))
                            || "+-._".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "True":
                    return new JsonPrimitive(true);
                case "False":
                    return new JsonPrimitive(false);
                case "None":
                    return JsonNull.INSTANCE;
                default:
                    try {
                        return new JsonPrimitive(new BigDecimal(word.replace("_", "")));
                    } catch (NumberFormatException e) {
                        throw notConstant();
                    }
            }
        }

        private JsonElement sequence(char close) {
            pos++;
            JsonArray out = new JsonArray();
            skipSpaces();
            while (pos < text.length() && text.charAt(pos) != close) {
                out.add(value());
                skipSpaces();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    skipSpaces();
                } else if (pos < text.length() && text.charAt(pos) != close) {
                    throw notConstant();
                }
            }
            if (pos >= text.length()) {
                throw notConstant();
            }
            pos++;
            return out;
        }

        private JsonElement string(char quote) {
            StringBuilder s = new StringBuilder();
            pos++;
            while (pos < text.length() && text.charAt(pos) != quote) {
                char c = text.charAt(pos++);
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                s.append(c);
            }
            if (pos >= text.length()) {
                throw notConstant();
            }
            pos++;
            return new JsonPrimitive(s.toString());
        }
    }
}
