package org.monailabel.engine.datastore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One image of the index with its labels: the object's JSON exactly as MONAI Label stores it
 * ({@code {"image": {"ext", "info"}, "labels": {tag: {"ext", "info"}}, ...}}), unknown keys
 * included.
 *
 * <p>Immutable by convention: the tree is never changed after construction; every {@code with*}
 * method deep-copies it first. A snapshot can therefore copy references under the index lock and
 * serialise them outside it.
 */
final class ObjectEntry {
    private static final String IMAGE = "image";
    private static final String LABELS = "labels";
    private static final String EXT = "ext";
    private static final String INFO = "info";

    private final String id;
    private final JsonObject json;
    private final String imageExt;
    private final Set<String> tags;
    private volatile Map<String, Long>
            handouts; // derived from the image info on first use (entries are immutable)

    private ObjectEntry(String id, JsonObject json) {
        this.id = id;
        this.json = json;
        this.imageExt = extOf(member(json, IMAGE));
        this.tags = Collections.unmodifiableSet(new TreeSet<>(member(json, LABELS).keySet()));
    }

    /** Wraps a tree read from disk; the caller gives up the tree. */
    static ObjectEntry of(String id, JsonObject json) {
        return new ObjectEntry(id, json);
    }

    /** A new object for an image file. */
    static ObjectEntry create(String id, String ext, JsonObject info) {
        JsonObject json = new JsonObject();
        json.add(IMAGE, fileEntry(ext, info));
        json.add(LABELS, new JsonObject());
        return new ObjectEntry(id, json);
    }

    String id() {
        return id;
    }

    /** The object's tree; callers must not change it. */
    JsonObject json() {
        return json;
    }

    String imageExt() {
        return imageExt;
    }

    String imageFileName() {
        return id + imageExt;
    }

    /** The image info; callers must not change it. */
    JsonObject imageInfo() {
        return member(member(json, IMAGE), INFO);
    }

    /** Strategy name to the last hand-out time ({@code info.strategy.<name>.ts}), memoized. */
    Map<String, Long> handouts() {
        Map<String, Long> h = handouts;
        if (h == null) {
            Map<String, Long> m = new HashMap<>();
            if (imageInfo().get("strategy") instanceof JsonObject strategies) {
                for (Map.Entry<String, JsonElement> e : strategies.entrySet()) {
                    if (e.getValue() instanceof JsonObject record
                            && record.get("ts") instanceof JsonPrimitive ts
                            && ts.isNumber()) {
                        m.put(e.getKey(), ts.getAsLong());
                    }
                }
            }
            h = m.isEmpty() ? Map.of() : Collections.unmodifiableMap(m);
            handouts = h;
        }
        return h;
    }

    Set<String> labelTags() {
        return tags;
    }

    boolean hasLabel(String tag) {
        return tags.contains(tag);
    }

    Optional<String> labelExt(String tag) {
        return hasLabel(tag)
                ? Optional.of(extOf(member(member(json, LABELS), tag)))
                : Optional.empty();
    }

    Optional<String> labelFileName(String tag) {
        return labelExt(tag).map(ext -> id + ext);
    }

    /** The label info; callers must not change it. */
    Optional<JsonObject> labelInfo(String tag) {
        return hasLabel(tag)
                ? Optional.of(member(member(member(json, LABELS), tag), INFO))
                : Optional.empty();
    }

    /** This object with the image replaced (ext and info); labels and unknown keys are kept. */
    ObjectEntry withImage(String ext, JsonObject info) {
        JsonObject copy = json.deepCopy();
        copy.add(IMAGE, fileEntry(ext, info));
        return new ObjectEntry(id, copy);
    }

    /** This object with the image info replaced; the image's other keys are kept. */
    ObjectEntry withImageInfo(JsonObject info) {
        JsonObject copy = json.deepCopy();
        JsonObject image = ensureObject(copy, IMAGE);
        image.add(INFO, info);
        return new ObjectEntry(id, copy);
    }

    /** This object with the label of {@code tag} set to a new file entry. */
    ObjectEntry withLabel(String tag, String ext, JsonObject info) {
        JsonObject copy = json.deepCopy();
        ensureObject(copy, LABELS).add(tag, fileEntry(ext, info));
        return new ObjectEntry(id, copy);
    }

    /** This object with the label info of {@code tag} replaced; the label's other keys are kept. */
    ObjectEntry withLabelInfo(String tag, JsonObject info) {
        JsonObject copy = json.deepCopy();
        ensureObject(ensureObject(copy, LABELS), tag).add(INFO, info);
        return new ObjectEntry(id, copy);
    }

    ObjectEntry withoutLabel(String tag) {
        JsonObject copy = json.deepCopy();
        ensureObject(copy, LABELS).remove(tag);
        return new ObjectEntry(id, copy);
    }

    private static JsonObject fileEntry(String ext, JsonObject info) {
        JsonObject entry = new JsonObject();
        entry.addProperty(EXT, ext);
        entry.add(INFO, info);
        return entry;
    }

    private static String extOf(JsonObject fileEntry) {
        JsonElement ext = fileEntry.get(EXT);
        return ext != null && ext.isJsonPrimitive() ? ext.getAsString() : "";
    }

    /** The member if it is an object, else an empty object (a malformed file is read leniently). */
    private static JsonObject member(JsonObject parent, String key) {
        JsonElement value = parent.get(key);
        return value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
    }

    private static JsonObject ensureObject(JsonObject parent, String key) {
        JsonElement value = parent.get(key);
        if (value != null && value.isJsonObject()) {
            return value.getAsJsonObject();
        }
        JsonObject created = new JsonObject();
        parent.add(key, created);
        return created;
    }
}
