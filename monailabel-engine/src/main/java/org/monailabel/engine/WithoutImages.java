package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;

/**
 * The datastore as a strategy sees it while some images are leased to other clients: those images
 * are not among the {@linkplain #unlabeledImageIds unlabeled} ones (the candidates of every stock
 * strategy); everything else is the datastore's.
 */
final class WithoutImages implements Datastore {
    private final Datastore datastore;
    private final Set<String> hidden;

    WithoutImages(Datastore datastore, Set<String> hidden) {
        this.datastore = datastore;
        this.hidden = Set.copyOf(hidden);
    }

    @Override
    public List<String> unlabeledImageIds(String tag) {
        return datastore.unlabeledImageIds(tag).stream()
                .filter(id -> !hidden.contains(id))
                .toList();
    }

    @Override
    public String name() {
        return datastore.name();
    }

    @Override
    public String description() {
        return datastore.description();
    }

    @Override
    public List<String> imageIds() {
        return datastore.imageIds();
    }

    @Override
    public boolean hasImage(String imageId) {
        return datastore.hasImage(imageId);
    }

    @Override
    public List<String> labeledImageIds(String tag) {
        return datastore.labeledImageIds(tag);
    }

    @Override
    public Set<String> labelTags(String imageId) {
        return datastore.labelTags(imageId);
    }

    @Override
    public String imageFileName(String imageId) {
        return datastore.imageFileName(imageId);
    }

    @Override
    public Path imageFile(String imageId) throws IOException {
        return datastore.imageFile(imageId);
    }

    @Override
    public Optional<Path> labelFile(String imageId, String tag) throws IOException {
        return datastore.labelFile(imageId, tag);
    }

    @Override
    public Map<String, Object> imageInfo(String imageId) {
        return datastore.imageInfo(imageId);
    }

    @Override
    public void updateImageInfo(String imageId, Map<String, Object> info) throws IOException {
        datastore.updateImageInfo(imageId, info);
    }

    @Override
    public Optional<Map<String, Object>> labelInfo(String imageId, String tag) {
        return datastore.labelInfo(imageId, tag);
    }

    @Override
    public void updateLabelInfo(String imageId, String tag, Map<String, Object> info)
            throws IOException {
        datastore.updateLabelInfo(imageId, tag, info);
    }

    @Override
    public String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return datastore.addImage(imageId, source, sourceName, info);
    }

    @Override
    public String addImage(
            String imageId,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        return datastore.addImage(imageId, source, sourceName, info, transfer);
    }

    @Override
    public void removeImage(String imageId) throws IOException {
        datastore.removeImage(imageId);
    }

    @Override
    public String saveLabel(
            String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
            throws IOException {
        return datastore.saveLabel(imageId, tag, source, sourceName, info);
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
        return datastore.saveLabel(imageId, tag, source, sourceName, info, transfer);
    }

    @Override
    public void removeLabel(String imageId, String tag) throws IOException {
        datastore.removeLabel(imageId, tag);
    }

    @Override
    public void recordSampleHandout(String imageId, String strategy, String clientId)
            throws IOException {
        datastore.recordSampleHandout(imageId, strategy, clientId);
    }

    @Override
    public Map<String, Long> lastHandouts(String strategy) {
        return datastore.lastHandouts(strategy);
    }

    @Override
    public DatastoreStats stats() {
        return datastore.stats();
    }

    @Override
    public Map<String, Object> toJson() {
        return datastore.toJson();
    }

    @Override
    public List<TrainingPair> trainingPairs(String tag) throws IOException {
        return datastore.trainingPairs(tag);
    }

    /** The view never owns the datastore: closing it does nothing. */
    @Override
    public void close() {}
}
