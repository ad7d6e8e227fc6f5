package org.monailabel.engine.datastore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory {@code datastore_v2.json} model: the top-level keys (kept verbatim, unknown ones
 * included) and the objects, sorted by id.
 *
 * <p>Reads are lock-free (a concurrent sorted map of immutable {@link ObjectEntry}s); writes must
 * hold the datastore's index lock. Objects whose id is unusable as a file name (written by other
 * tools) are kept apart, verbatim, and only written back.
 */
final class DatastoreIndex {
    static final String OBJECTS = "objects";
    static final String DEFAULT_IMAGES_DIR = ".";
    static final String DEFAULT_LABELS_DIR = "labels";

    private static final Logger logger = LoggerFactory.getLogger(DatastoreIndex.class);

    private final JsonObject header;
    private final ConcurrentSkipListMap<String, ObjectEntry> objects =
            new ConcurrentSkipListMap<>();
    private final Map<String, JsonElement> foreign = new LinkedHashMap<>();

    /** Which id owns each file name ({@code name} for images, {@code tag/name} for labels). */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    private DatastoreIndex(JsonObject header) {
        this.header = header;
    }

    /** An empty index with MONAI Label's defaults. */
    static DatastoreIndex empty() {
        return fromJson(new JsonObject());
    }

    /** The index of a parsed {@code datastore_v2.json}; the caller gives up the tree. */
    static DatastoreIndex fromJson(JsonObject root) {
        JsonObject header = new JsonObject();
        defaultString(root, "name", "new-dataset");
        defaultString(root, "description", "New Dataset");
        defaultString(root, "images_dir", DEFAULT_IMAGES_DIR);
        defaultString(root, "labels_dir", DEFAULT_LABELS_DIR);
        JsonElement objects = root.get(OBJECTS);
        for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
            header.add(
                    entry.getKey(),
                    entry.getKey().equals(OBJECTS) ? new JsonObject() : entry.getValue());
        }
        if (!header.has(OBJECTS)) {
            header.add(
                    OBJECTS,
                    new JsonObject()); // an empty object now, so that the key keeps its position
        }
        DatastoreIndex index = new DatastoreIndex(header);
        if (objects != null && objects.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : objects.getAsJsonObject().entrySet()) {
                index.load(entry.getKey(), entry.getValue());
            }
        }
        return index;
    }

    private void load(String id, JsonElement value) {
        if (Ids.isValid(id) && value.isJsonObject()) {
            put(ObjectEntry.of(id, value.getAsJsonObject()));
        } else {
            logger.warn(
                    "Keeping object {} of the index as is: its id or shape is not usable",
                    new JsonPrimitive(id));
            foreign.put(id, value);
        }
    }

    private static void defaultString(JsonObject root, String key, String value) {
        JsonElement current = root.get(key);
        if (current == null || !current.isJsonPrimitive()) {
            root.add(key, new JsonPrimitive(value));
        }
    }

    String headerString(String key) {
        return header.get(key).getAsString();
    }

    Optional<ObjectEntry> get(String id) {
        return Optional.ofNullable(objects.get(id));
    }

    /**
     * Adds or replaces an object. Readers never see it missing in between, and file names it keeps
     * never lose their owner (an owner check by another operation could otherwise pass).
     */
    void put(ObjectEntry entry) {
        ObjectEntry old = objects.put(entry.id(), entry);
        Set<String> keys = ownerKeys(entry);
        keys.forEach(key -> owners.put(key, entry.id()));
        if (old != null) {
            for (String key : ownerKeys(old)) {
                if (!keys.contains(key)) {
                    owners.remove(key, entry.id());
                }
            }
        }
    }

    /** Removes an object; false if there was none. */
    boolean remove(String id) {
        ObjectEntry old = objects.remove(id);
        if (old == null) {
            return false;
        }
        ownerKeys(old).forEach(key -> owners.remove(key, id));
        return true;
    }

    private static Set<String> ownerKeys(ObjectEntry entry) {
        Set<String> keys = new HashSet<>();
        keys.add(entry.imageFileName());
        for (String tag : entry.labelTags()) {
            keys.add(tag + "/" + entry.labelFileName(tag).orElseThrow());
        }
        return keys;
    }

    /** The id whose image file has this name, if any. */
    Optional<String> imageOwner(String fileName) {
        return Optional.ofNullable(owners.get(fileName));
    }

    /** The id whose label file of {@code tag} has this name, if any. */
    Optional<String> labelOwner(String tag, String fileName) {
        return Optional.ofNullable(owners.get(tag + "/" + fileName));
    }

    /** All ids, sorted. */
    List<String> ids() {
        return new ArrayList<>(objects.keySet());
    }

    /** The objects, sorted by id; a weakly consistent live view. */
    Collection<ObjectEntry> entries() {
        return objects.values();
    }

    int size() {
        return objects.size();
    }

    /**
     * A consistent copy for a snapshot (call under the index lock): header, foreign objects,
     * entries.
     */
    Copy copy() {
        return new Copy(
                header.deepCopy(), new LinkedHashMap<>(foreign), new ArrayList<>(objects.values()));
    }

    /** A frozen view of the index, serialised outside the lock. */
    record Copy(JsonObject header, Map<String, JsonElement> foreign, List<ObjectEntry> entries) {
        /**
         * The whole {@code datastore_v2.json} tree (shares the entries' trees: do not change it).
         */
        JsonObject toJson() {
            JsonObject root = new JsonObject();
            for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
                if (entry.getKey().equals(OBJECTS)) {
                    JsonObject objects = new JsonObject();
                    foreign.forEach(objects::add);
                    entries.forEach(object -> objects.add(object.id(), object.json()));
                    root.add(OBJECTS, objects);
                } else {
                    root.add(entry.getKey(), entry.getValue());
                }
            }
            return root;
        }
    }
}
