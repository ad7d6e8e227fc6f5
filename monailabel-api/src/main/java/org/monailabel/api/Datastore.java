package org.monailabel.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The images being annotated and their labels, as MONAI Label models them: every image has an
 * opaque id (any string without path separators, control characters or {@code ..}; spaces and dots
 * are fine), an open-ended info map, and at most one label per tag ({@code final} for
 * human-approved labels, {@code original} for model output, any other tag for versions). The label
 * id equals the image id.
 *
 * <p>Callers reach image and label data only through this interface ({@link #imageFile}, {@link
 * #labelFile}), never by joining ids into paths: an implementation may keep files in a folder,
 * fetch them from a PACS and cache them, or both.
 *
 * <p>Info maps hold JSON-like values ({@code String}, {@code Long} or {@code Double}, {@code
 * Boolean}, {@code List}, {@code Map}, {@code null}); keys the caller does not know are preserved.
 * Maps returned are snapshots the caller may keep. Implementations are thread-safe; every write is
 * atomic and durable when the method returns. Unknown ids throw {@link
 * org.monailabel.api.error.NotFoundException}; malformed ids or tags throw {@link
 * org.monailabel.api.error.InvalidInputException}.
 *
 * <p>Images and labels given to {@link #addImage} and {@link #saveLabel} are checked against the
 * extension of their {@code sourceName} before anything is stored, and refused with an {@link
 * org.monailabel.api.error.InvalidInputException} saying what is wrong: an empty file; a {@code
 * .nii}, {@code .nii.gz} or {@code .nrrd} file that does not decode as such (files over 256 MiB
 * have only their header checked: gzip stream, NIfTI-1/2 header size and magic, NRRD magic); a
 * {@code .dcm} file without the {@code DICM} preamble. Other extensions are stored as sent. The
 * label's grid is not compared with its image's. Files that reach the datastore by other means
 * (copied into a local datastore's folder and reconciled) are not checked, nor are any files when
 * an implementation was configured to trust its callers.
 */
public interface Datastore extends AutoCloseable {
    /** The tag of human-approved labels: the only tag that counts as labeled and feeds training. */
    String FINAL = "final";

    /** The tag of labels the server produced (batch inference, {@code save_label}). */
    String ORIGINAL = "original";

    /**
     * How {@link #addImage(String, Path, String, Map, Transfer)} and {@link #saveLabel(String,
     * String, Path, String, Map, Transfer)} take the source file.
     */
    enum Transfer {
        /** The datastore copies the source; the caller keeps it (and deletes it when done). */
        COPY,
        /**
         * The caller hands the source over: the datastore renames it into place when it is on the
         * same file system (no copy) and otherwise copies it and then deletes it. Use it for files
         * the caller would delete next, such as spooled uploads.
         */
        MOVE
    }

    /** The dataset's name. */
    String name();

    /** The dataset's description. */
    String description();

    /** All image ids, sorted. */
    List<String> imageIds();

    /** Whether an image with this id exists. */
    boolean hasImage(String imageId);

    /** Ids of the images that have a label with this tag, sorted. */
    List<String> labeledImageIds(String tag);

    /** Ids of the images without a label with this tag, sorted. */
    List<String> unlabeledImageIds(String tag);

    /** The tags of the labels this image has. */
    Set<String> labelTags(String imageId);

    /** The stored file name of the image, {@code <id><ext>}, e.g. {@code spleen_10.nii.gz}. */
    String imageFileName(String imageId);

    /**
     * A local, readable file holding the image (it may be fetched and cached first). The file
     * belongs to the datastore: read it, never change or move it.
     */
    Path imageFile(String imageId) throws IOException;

    /** A local, readable file holding the label with this tag, if the image has one. */
    Optional<Path> labelFile(String imageId, String tag) throws IOException;

    /**
     * The image's info ({@code ts}, {@code name}, client fields, strategy and scoring records,
     * ...).
     */
    Map<String, Object> imageInfo(String imageId);

    /** Merges {@code info} into the image's info, key by key (a shallow update). */
    void updateImageInfo(String imageId, Map<String, Object> info) throws IOException;

    /** The label's info, if the image has a label with this tag. */
    Optional<Map<String, Object>> labelInfo(String imageId, String tag);

    /** Merges {@code info} into the label's info, key by key (a shallow update). */
    void updateLabelInfo(String imageId, String tag, Map<String, Object> info) throws IOException;

    /**
     * Adds an image, or replaces the image with the same id (its info is then reset to {@code
     * info}). The datastore copies {@code source}; the caller keeps it. Same as {@link
     * #addImage(String, Path, String, Map, Transfer)} with {@link Transfer#COPY}.
     *
     * @param sourceName the client's name for the file; its extension becomes the stored one
     * @param info stored as the image info, plus {@code ts} and {@code name}
     * @return the image id
     * @throws org.monailabel.api.error.InvalidInputException if the content does not match the
     *     extension (see the class comment); nothing is stored then
     */
    String addImage(String imageId, Path source, String sourceName, Map<String, Object> info)
            throws IOException;

    /**
     * Adds or replaces an image as {@link #addImage(String, Path, String, Map)} does, taking {@code
     * source} as {@code transfer} says. With {@link Transfer#MOVE} the source is gone when the
     * method returns (should deleting it after a copy fail, that is logged and the file left
     * behind); when the method throws, the source is where it was. The default implementation
     * copies and then deletes; implementations on a local folder rename the file instead.
     *
     * @throws org.monailabel.api.error.InvalidInputException if the content does not match the
     *     extension (see the class comment); nothing is stored then
     */
    default String addImage(
            String imageId,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        Objects.requireNonNull(transfer, "transfer");
        String id = addImage(imageId, source, sourceName, info);
        deleteMoved(source, transfer);
        return id;
    }

    /** Removes an image and all its labels. */
    void removeImage(String imageId) throws IOException;

    /**
     * Saves (or replaces) the label of an image with a tag. The datastore copies {@code source};
     * the caller keeps it. Same as {@link #saveLabel(String, String, Path, String, Map, Transfer)}
     * with {@link Transfer#COPY}.
     *
     * @param sourceName the client's name for the file; its extension becomes the stored one
     * @param info stored as the label info, plus {@code ts} and {@code name}
     * @return the label id (the image id)
     * @throws org.monailabel.api.error.InvalidInputException if the content does not match the
     *     extension (see the class comment); nothing is stored then
     */
    String saveLabel(
            String imageId, String tag, Path source, String sourceName, Map<String, Object> info)
            throws IOException;

    /**
     * Saves or replaces a label as {@link #saveLabel(String, String, Path, String, Map)} does,
     * taking {@code source} as {@code transfer} says; see {@link #addImage(String, Path, String,
     * Map, Transfer)} for what happens to the source.
     *
     * @throws org.monailabel.api.error.InvalidInputException if the content does not match the
     *     extension (see the class comment); nothing is stored then
     */
    default String saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer)
            throws IOException {
        Objects.requireNonNull(transfer, "transfer");
        String id = saveLabel(imageId, tag, source, sourceName, info);
        deleteMoved(source, transfer);
        return id;
    }

    /** After a copy that was to be a move: deletes the source, logging (not throwing) a failure. */
    private static void deleteMoved(Path source, Transfer transfer) {
        if (transfer != Transfer.MOVE) {
            return;
        }
        try {
            Files.deleteIfExists(source);
        } catch (IOException e) {
            System.getLogger(Datastore.class.getName())
                    .log(
                            System.Logger.Level.WARNING,
                            "Stored a copy of " + source + " but cannot delete it: " + e);
        }
    }

    /** Removes the label with this tag; nothing happens if there is none. */
    void removeLabel(String imageId, String tag) throws IOException;

    /**
     * Records that a strategy handed this image out: sets {@code strategy.<name> = {ts, client_id}}
     * in the image info, which strategies such as {@code random} use to prefer images not shown
     * recently.
     */
    void recordSampleHandout(String imageId, String strategy, String clientId) throws IOException;

    /**
     * When a strategy last handed out each image (epoch seconds, as recorded by {@link
     * #recordSampleHandout}); images it never handed out are absent. Strategies call this on every
     * request, so implementations should answer it without copying every info map.
     */
    default Map<String, Long> lastHandouts(String strategy) {
        Map<String, Long> result = new HashMap<>();
        for (String id : imageIds()) {
            if (imageInfo(id).get("strategy") instanceof Map<?, ?> strategies
                    && strategies.get(strategy) instanceof Map<?, ?> record
                    && record.get("ts") instanceof Number ts) {
                result.put(id, ts.longValue());
            }
        }
        return result;
    }

    /** Counts of images, completed images and labels per tag. */
    DatastoreStats stats();

    /**
     * The whole datastore as MONAI Label's {@code datastore_v2.json} model ({@code output=all}).
     */
    Map<String, Object> toJson();

    /** Image and label files of every image with a label of this tag, sorted by image id. */
    List<TrainingPair> trainingPairs(String tag) throws IOException;

    /** Releases files, locks and watchers; idempotent. */
    @Override
    void close();
}
