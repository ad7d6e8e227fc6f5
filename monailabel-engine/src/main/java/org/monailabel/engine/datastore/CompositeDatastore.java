package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.ConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several datastores served as one: a studies folder's image files and the DICOM series beside
 * them. Each image belongs to the first part that has it (an id two parts share is served from the
 * first, and a warning logged); new images go to the first part; name and description are the first
 * part's. The listing is the parts' listings one after the other. Labels keep the history of the
 * part that has their image ({@link VersionedLabels}; a part without one refuses those calls with a
 * {@link ConflictException}). Thread-safe when the parts are; closing it closes every part.
 */
public final class CompositeDatastore implements Datastore, Preparable, VersionedLabels {
    private static final Logger logger = LoggerFactory.getLogger(CompositeDatastore.class);

    private final List<Datastore> parts;

    /** The parts, first one first; it receives {@link #addImage}. */
    public CompositeDatastore(List<Datastore> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite datastore needs at least one part");
        }
        this.parts = List.copyOf(parts);
        Set<String> seen = new LinkedHashSet<>();
        for (Datastore part : this.parts) {
            for (String id : part.imageIds()) {
                if (!seen.add(id)) {
                    logger.warn(
                            "Image id '{}' is in two parts of the datastore; serving the one of"
                                    + " '{}' first",
                            id,
                            this.parts.get(0).name());
                }
            }
        }
    }

    /** The parts, first one first. */
    public List<Datastore> parts() {
        return parts;
    }

    private Datastore owner(String imageId) {
        Ids.checkImageId(imageId);
        for (Datastore part : parts) {
            if (part.hasImage(imageId)) {
                return part;
            }
        }
        throw FileOperations.notFound(imageId);
    }

    private VersionedLabels versioned(String imageId) {
        Datastore part = owner(imageId);
        return VersionedLabels.of(part)
                .orElseThrow(
                        () ->
                                new ConflictException(
                                        "The labels of image '" + imageId + "' keep no history"));
    }

    @Override
    public LabelVersion saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer,
            LabelEdit edit)
            throws IOException {
        return versioned(imageId).saveLabel(imageId, tag, source, sourceName, info, transfer, edit);
    }

    @Override
    public Optional<LabelVersion> removeLabel(String imageId, String tag, LabelEdit edit)
            throws IOException {
        return versioned(imageId).removeLabel(imageId, tag, edit);
    }

    @Override
    public void removeImage(String imageId, LabelEdit edit) throws IOException {
        versioned(imageId).removeImage(imageId, edit);
    }

    @Override
    public LabelVersion updateLabelInfo(
            String imageId, String tag, Map<String, Object> info, LabelEdit edit)
            throws IOException {
        return versioned(imageId).updateLabelInfo(imageId, tag, info, edit);
    }

    @Override
    public List<LabelVersion> labelHistory(String imageId, String tag) throws IOException {
        return versioned(imageId).labelHistory(imageId, tag);
    }

    @Override
    public Optional<LabelVersion> currentLabel(String imageId, String tag) throws IOException {
        return versioned(imageId).currentLabel(imageId, tag);
    }

    @Override
    public Path labelVersionFile(String imageId, String tag, int version) throws IOException {
        return versioned(imageId).labelVersionFile(imageId, tag, version);
    }

    @Override
    public String name() {
        return parts.get(0).name();
    }

    @Override
    public String description() {
        return parts.get(0).description();
    }

    @Override
    public List<String> imageIds() {
        Set<String> ids = new LinkedHashSet<>();
        parts.forEach(part -> ids.addAll(part.imageIds()));
        return Collections.unmodifiableList(new ArrayList<>(ids));
    }

    @Override
    public boolean hasImage(String imageId) {
        for (Datastore part : parts) {
            if (part.hasImage(imageId)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> labeledImageIds(String tag) {
        Set<String> ids = new LinkedHashSet<>();
        for (Datastore part : parts) {
            for (String id : part.labeledImageIds(tag)) {
                if (owner(id) == part) {
                    ids.add(id);
                }
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(ids));
    }

    @Override
    public List<String> unlabeledImageIds(String tag) {
        Set<String> labeled = new LinkedHashSet<>(labeledImageIds(tag));
        return imageIds().stream().filter(id -> !labeled.contains(id)).toList();
    }

    @Override
    public Set<String> labelTags(String imageId) {
        return owner(imageId).labelTags(imageId);
    }

    @Override
    public String imageFileName(String imageId) {
        return owner(imageId).imageFileName(imageId);
    }

    @Override
    public Path imageFile(String imageId) throws IOException {
        return owner(imageId).imageFile(imageId);
    }

    @Override
    public Optional<Path> labelFile(String imageId, String tag) throws IOException {
        return owner(imageId).labelFile(imageId, tag);
    }

    @Override
    public Map<String, Object> imageInfo(String imageId) {
        return owner(imageId).imageInfo(imageId);
    }

    @Override
    public void updateImageInfo(String imageId, Map<String, Object> info) throws IOException {
        owner(imageId).updateImageInfo(imageId, info);
    }

    @Override
    public Optional<Map<String, Object>> labelInfo(String imageId, String tag) {
        return owner(imageId).labelInfo(imageId, tag);
    }

    @Override
    public void updateLabelInfo(String imageId, String tag, Map<String, Object> info)
            throws IOException {
        owner(imageId).updateLabelInfo(imageId, tag, info);
    }

    @Override
    public String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return addImage(imageId, source, sourceName, info, Transfer.COPY);
    }

    /** To the part that has the id, else to the first part. */
    @Override
    public String addImage(
            String imageId,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        Datastore target = parts.get(0);
        if (imageId != null && !imageId.isEmpty() && hasImage(imageId)) {
            target = owner(imageId);
        }
        return target.addImage(imageId, source, sourceName, info, transfer);
    }

    @Override
    public void removeImage(String imageId) throws IOException {
        owner(imageId).removeImage(imageId);
    }

    @Override
    public String saveLabel(
            String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return owner(imageId).saveLabel(imageId, tag, source, sourceName, info);
    }

    @Override
    public String saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        return owner(imageId).saveLabel(imageId, tag, source, sourceName, info, transfer);
    }

    @Override
    public void removeLabel(String imageId, String tag) throws IOException {
        owner(imageId).removeLabel(imageId, tag);
    }

    @Override
    public void recordSampleHandout(String imageId, String strategy, String clientId)
            throws IOException {
        owner(imageId).recordSampleHandout(imageId, strategy, clientId);
    }

    @Override
    public Map<String, Long> lastHandouts(String strategy) {
        Map<String, Long> result = new HashMap<>();
        for (int i = parts.size() - 1; i >= 0; i--) { // the first part's wins for a shared id
            result.putAll(parts.get(i).lastHandouts(strategy));
        }
        return result;
    }

    @Override
    public DatastoreStats stats() {
        int total = 0;
        int completed = 0;
        Map<String, Integer> tags = new TreeMap<>();
        for (Datastore part : parts) {
            DatastoreStats s = part.stats();
            total += s.total();
            completed += s.completed();
            s.labelTags().forEach((tag, n) -> tags.merge(tag, n, Integer::sum));
        }
        return new DatastoreStats(total, completed, tags);
    }

    /** The first part's document with every part's objects (the first part's for a shared id). */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>(parts.get(0).toJson());
        Map<String, Object> objects = new LinkedHashMap<>();
        for (int i = parts.size() - 1; i >= 0; i--) {
            Object o = parts.get(i).toJson().get(DatastoreIndex.OBJECTS);
            if (o instanceof Map<?, ?> m) {
                m.forEach((id, object) -> objects.put(String.valueOf(id), object));
            }
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String id : imageIds()) {
            if (objects.containsKey(id)) {
                ordered.put(id, objects.get(id));
            }
        }
        json.put(DatastoreIndex.OBJECTS, ordered);
        return json;
    }

    @Override
    public List<TrainingPair> trainingPairs(String tag) throws IOException {
        List<TrainingPair> pairs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Datastore part : parts) {
            for (TrainingPair pair : part.trainingPairs(tag)) {
                if (seen.add(pair.imageId())) {
                    pairs.add(pair);
                }
            }
        }
        return Collections.unmodifiableList(pairs);
    }

    /** Closes every part, last first. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean isPrepared(String imageId) {
        if (!hasImage(imageId)) {
            return false;
        }
        Datastore part = owner(imageId);
        return !(part instanceof Preparable p) || p.isPrepared(imageId);
    }

    @Override
    public void prepare(String imageId) {
        if (hasImage(imageId) && owner(imageId) instanceof Preparable p) {
            p.prepare(imageId);
        }
    }
}
