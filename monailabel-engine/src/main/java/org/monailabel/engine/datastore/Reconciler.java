package org.monailabel.engine.datastore;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the index in line with the files, as MONAI Label does at start-up: drops objects whose
 * image file is gone and labels whose file is gone, adds unindexed image files with a recognised
 * extension and unindexed label files whose id names an indexed image.
 *
 * <p>The folders are listed without any lock; the changes are then decided and applied under the
 * index lock, re-checking each candidate on disk. The caller must hold the datastore's exclusive
 * file-operation lock, so that no half-done operation of our own (file moved in, index not yet
 * updated) is mistaken for an outside change.
 */
final class Reconciler {
    private static final Logger logger = LoggerFactory.getLogger(Reconciler.class);

    private final PersistentIndex store;
    private final Path imagesDir;
    private final Path labelsDir;

    Reconciler(PersistentIndex store, Path imagesDir, Path labelsDir) {
        this.store = store;
        this.imagesDir = imagesDir;
        this.labelsDir = labelsDir;
    }

    /** Lists the folders; cheap enough to run every few seconds (one directory read per folder). */
    Listing list() throws IOException {
        Set<String> images = names(imagesDir);
        Map<String, Set<String>> labels = new HashMap<>();
        for (String tag : names(labelsDir)) {
            if (Ids.isValid(tag) && Files.isDirectory(labelsDir.resolve(tag))) {
                labels.put(tag, names(labelsDir.resolve(tag)));
            }
        }
        return new Listing(images, labels);
    }

    /** The file names in a folder, hidden ones excluded; empty if the folder does not exist. */
    private static Set<String> names(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!name.startsWith(".")) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            // no folder, no files
        }
        return names;
    }

    /** Lists the folders and applies the differences; returns the number of objects changed. */
    int reconcile() throws IOException {
        Listing listing = list();
        store.lock().lock();
        try {
            return apply(listing);
        } finally {
            store.lock().unlock();
        }
    }

    private int apply(Listing listing) throws IOException {
        DatastoreIndex index = store.index();
        long now = Instant.now().getEpochSecond();
        List<ObjectEntry> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (ObjectEntry entry : index.entries()) {
            if (!listing.images().contains(entry.imageFileName())
                    && !isFile(imagesDir, entry.imageFileName())) {
                logger.info("Image file of '{}' is gone: dropping it from the index", entry.id());
                removed.add(entry.id());
                continue;
            }
            ObjectEntry updated = entry;
            for (String tag : entry.labelTags()) {
                String name = entry.labelFileName(tag).orElseThrow();
                if (!listing.labels().getOrDefault(tag, Set.of()).contains(name)
                        && !isFile(labelsDir.resolve(tag), name)) {
                    logger.info(
                            "Label file '{}' of '{}' is gone: dropping it from the index",
                            tag,
                            entry.id());
                    updated = updated.withoutLabel(tag);
                }
            }
            if (updated != entry) {
                changed.add(updated);
            }
        }
        for (String name : listing.images()) {
            Optional<String> id = FileExtensions.idOf(name);
            if (id.isPresent()
                    && Ids.isValid(id.get())
                    && index.get(id.get()).isEmpty()
                    && index.imageOwner(name).isEmpty()
                    && isFile(imagesDir, name)) {
                String ext = name.substring(id.get().length());
                changed.add(ObjectEntry.create(id.get(), ext, defaultInfo(now, name)));
                logger.debug("Indexing new image file '{}'", name);
            }
        }
        Map<String, ObjectEntry> byId = new HashMap<>();
        changed.forEach(entry -> byId.put(entry.id(), entry));
        for (Map.Entry<String, Set<String>> tagFiles : listing.labels().entrySet()) {
            String tag = tagFiles.getKey();
            for (String name : tagFiles.getValue()) {
                addLabel(index, byId, tag, name, now);
            }
        }
        store.applyAll(removed, new ArrayList<>(byId.values()));
        int count = removed.size() + byId.size();
        if (count > 0) {
            logger.info(
                    "Reconciled the index with the files: {} objects changed, {} removed",
                    byId.size(),
                    removed.size());
        }
        return count;
    }

    private void addLabel(
            DatastoreIndex index,
            Map<String, ObjectEntry> byId,
            String tag,
            String name,
            long now) {
        Optional<String> id = FileExtensions.idOf(name);
        if (id.isEmpty() || index.labelOwner(tag, name).isPresent()) {
            return;
        }
        ObjectEntry entry = byId.get(id.get());
        if (entry == null) {
            entry = index.get(id.get()).orElse(null);
        }
        if (entry == null || entry.hasLabel(tag) || !isFile(labelsDir.resolve(tag), name)) {
            return;
        }
        String ext = name.substring(id.get().length());
        byId.put(entry.id(), entry.withLabel(tag, ext, defaultInfo(now, name)));
        logger.debug("Indexing new label file '{}' of tag '{}'", name, tag);
    }

    private static JsonObject defaultInfo(long now, String name) {
        JsonObject info = new JsonObject();
        info.addProperty("ts", now);
        info.addProperty("name", name);
        return info;
    }

    private static boolean isFile(Path dir, String name) {
        return Files.isRegularFile(dir.resolve(name));
    }

    /** The non-hidden file names of the images folder and of each tag folder. */
    record Listing(Set<String> images, Map<String, Set<String>> labels) {}
}
