package org.monailabel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;

/**
 * A small working {@link Datastore} for tests: files in a folder, info in memory. The one place to
 * switch to the real {@code LocalDatastore} once it exists.
 */
public final class TestDatastores {
    private TestDatastores() {}

    /** An empty datastore keeping its files in {@code dir}. */
    public static Datastore create(Path dir) throws IOException {
        return new FolderDatastore(Files.createDirectories(dir));
    }

    /** A datastore with tiny placeholder images {@code <id>.nii.gz} (not real NIfTI) for these ids. */
    public static Datastore withImages(Path dir, String... imageIds) throws IOException {
        Datastore datastore = create(dir);
        Path source = Files.createTempFile("test-image-", ".nii.gz");
        try {
            Files.writeString(source, "placeholder");
            for (String id : imageIds) {
                datastore.addImage(id, source, id + ".nii.gz", Map.of());
            }
        } finally {
            Files.deleteIfExists(source);
        }
        return datastore;
    }

    private record Item(Path file, Map<String, Object> info) {}

    private static final class Image {
        Item item;
        final Map<String, Item> labels = new TreeMap<>();

        Image(Item item) {
            this.item = item;
        }
    }

    private static final class FolderDatastore implements Datastore {
        private final Path dir;
        private final Map<String, Image> images = new TreeMap<>();

        FolderDatastore(Path dir) {
            this.dir = dir;
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public String description() {
            return "Test datastore";
        }

        @Override
        public synchronized List<String> imageIds() {
            return List.copyOf(images.keySet());
        }

        @Override
        public synchronized boolean hasImage(String imageId) {
            return images.containsKey(imageId);
        }

        @Override
        public synchronized List<String> labeledImageIds(String tag) {
            return images.entrySet().stream().filter(e -> e.getValue().labels.containsKey(tag))
                    .map(Map.Entry::getKey).toList();
        }

        @Override
        public synchronized List<String> unlabeledImageIds(String tag) {
            return images.entrySet().stream().filter(e -> !e.getValue().labels.containsKey(tag))
                    .map(Map.Entry::getKey).toList();
        }

        @Override
        public synchronized Set<String> labelTags(String imageId) {
            return Set.copyOf(image(imageId).labels.keySet());
        }

        @Override
        public synchronized String imageFileName(String imageId) {
            return image(imageId).item.file().getFileName().toString();
        }

        @Override
        public synchronized Path imageFile(String imageId) {
            return image(imageId).item.file();
        }

        @Override
        public synchronized Optional<Path> labelFile(String imageId, String tag) {
            return Optional.ofNullable(image(imageId).labels.get(tag)).map(Item::file);
        }

        @Override
        public synchronized Map<String, Object> imageInfo(String imageId) {
            return new LinkedHashMap<>(image(imageId).item.info());
        }

        @Override
        public synchronized void updateImageInfo(String imageId, Map<String, Object> info) {
            image(imageId).item.info().putAll(info);
        }

        @Override
        public synchronized Optional<Map<String, Object>> labelInfo(String imageId, String tag) {
            return Optional.ofNullable(image(imageId).labels.get(tag)).map(l -> new LinkedHashMap<>(l.info()));
        }

        @Override
        public synchronized void updateLabelInfo(String imageId, String tag, Map<String, Object> info) {
            Item label = image(imageId).labels.get(tag);
            if (label == null) {
                throw new NotFoundException("Label '" + tag + "' of image '" + imageId + "' not found");
            }
            label.info().putAll(info);
        }

        @Override
        public synchronized String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
                throws IOException {
            checkId(imageId);
            Path file = dir.resolve(imageId + extension(sourceName));
            Files.copy(source, file, StandardCopyOption.REPLACE_EXISTING);
            images.put(imageId, new Image(new Item(file, describe(info, file))));
            return imageId;
        }

        @Override
        public synchronized void removeImage(String imageId) throws IOException {
            Image image = image(imageId);
            Files.deleteIfExists(image.item.file());
            for (Item label : image.labels.values()) {
                Files.deleteIfExists(label.file());
            }
            images.remove(imageId);
        }

        @Override
        public synchronized String saveLabel(
                String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
                throws IOException {
            Image image = image(imageId);
            checkId(tag);
            Path file = Files.createDirectories(dir.resolve("labels").resolve(tag))
                    .resolve(imageId + extension(sourceName));
            Files.copy(source, file, StandardCopyOption.REPLACE_EXISTING);
            image.labels.put(tag, new Item(file, describe(info, file)));
            return imageId;
        }

        @Override
        public synchronized void removeLabel(String imageId, String tag) throws IOException {
            Item label = image(imageId).labels.remove(tag);
            if (label != null) {
                Files.deleteIfExists(label.file());
            }
        }

        @Override
        public synchronized void recordSampleHandout(String imageId, String strategy, String clientId) {
            Map<String, Object> info = image(imageId).item.info();
            Map<String, Object> strategies = new LinkedHashMap<>();
            if (info.get("strategy") instanceof Map<?, ?> old) {
                old.forEach((k, v) -> strategies.put(String.valueOf(k), v));
            }
            strategies.put(strategy, Map.of("ts", System.currentTimeMillis() / 1000, "client_id", clientId));
            info.put("strategy", strategies);
        }

        @Override
        public synchronized DatastoreStats stats() {
            Map<String, Integer> tags = new TreeMap<>();
            images.values().forEach(i -> i.labels.keySet().forEach(t -> tags.merge(t, 1, Integer::sum)));
            return new DatastoreStats(images.size(), tags.getOrDefault(FINAL, 0), tags);
        }

        @Override
        public synchronized Map<String, Object> toJson() {
            Map<String, Object> objects = new LinkedHashMap<>();
            images.forEach((id, image) -> objects.put(id, Map.of("image", image.item.info())));
            return Map.of("name", name(), "description", description(), "objects", objects);
        }

        @Override
        public synchronized List<TrainingPair> trainingPairs(String tag) {
            List<TrainingPair> pairs = new ArrayList<>();
            images.forEach((id, image) -> {
                Item label = image.labels.get(tag);
                if (label != null) {
                    pairs.add(new TrainingPair(id, image.item.file(), label.file(), label.info()));
                }
            });
            return pairs;
        }

        @Override
        public void close() {}

        private Image image(String imageId) {
            Image image = images.get(imageId);
            if (image == null) {
                throw new NotFoundException("Image '" + imageId + "' not found");
            }
            return image;
        }

        private static Map<String, Object> describe(Map<String, Object> info, Path file) {
            Map<String, Object> out = new LinkedHashMap<>(info);
            out.put("ts", System.currentTimeMillis() / 1000);
            out.put("name", file.getFileName().toString());
            return out;
        }

        private static void checkId(String id) {
            if (id.isEmpty() || id.contains("/") || id.contains("\\") || id.contains("..")) {
                throw new InvalidInputException("Invalid id '" + id + "'");
            }
        }

        private static String extension(String fileName) {
            String lower = fileName.toLowerCase(java.util.Locale.ROOT);
            if (lower.endsWith(".nii.gz") || lower.endsWith(".seg.nrrd")) {
                return fileName.substring(fileName.length() - (lower.endsWith(".nii.gz") ? 7 : 9));
            }
            int dot = fileName.lastIndexOf('.');
            return dot < 0 ? "" : fileName.substring(dot);
        }
    }
}
