package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.monailabel.api.Datastore;
import org.monailabel.api.Datastore.Transfer;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.datastore.LabelEdit;
import org.monailabel.engine.datastore.LabelVersion;
import org.monailabel.engine.datastore.VersionedLabels;

/**
 * The label use cases of clients ({@link MonaiLabel#labels()}): save, remove, update info and
 * review a label on a {@link Precondition}, read its history and any version of it. Every change is
 * made as an {@link Actor} and written to the {@link AuditLog}. With a datastore that keeps a label
 * history ({@link VersionedLabels}: every datastore monailabel opens) each save and removal is a
 * version; with another datastore the changes are plain and a precondition other than {@link
 * Precondition#none()} is refused (409). Thread-safe.
 *
 * <p>Reviews are stored as MONAI Label's Slicer Reviewer module stores them, in the label's info:
 * {@code segmentationMeta = {"status": "approved" | "flagged" | "", "approvedBy": <reviewer>,
 * "level": "easy" | "medium" | "hard" | "", "comment": <text>, "editTime": <epoch seconds>}}; as
 * the Reviewer does, a review also clears the approval of the image's other tags and gives them its
 * level.
 */
public final class Labels {
    /** The label-info key of the Reviewer's meta data. */
    public static final String SEGMENTATION_META = "segmentationMeta";

    private final Datastore datastore;
    private final AuditLog audit;
    private final Consumer<String> finalSaved;

    Labels(Datastore datastore, AuditLog audit, Consumer<String> finalSaved) {
        this.datastore = Objects.requireNonNull(datastore, "datastore");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.finalSaved = Objects.requireNonNull(finalSaved, "finalSaved");
    }

    private Optional<VersionedLabels> versioned() {
        return VersionedLabels.of(datastore);
    }

    private static LabelEdit edit(
            Actor actor, String clientId, String imageId, String tag, Precondition precondition) {
        return new LabelEdit(
                actor.user(), clientId, actor.address(), precondition.forLabel(imageId, tag));
    }

    private static void requireNone(Precondition precondition) {
        if (!precondition.isNone()) {
            throw new ConflictException(
                    "This datastore keeps no label history, so If-Match and If-None-Match cannot"
                            + " be checked");
        }
    }

    private static AuditEvent event(
            String action, Actor actor, String imageId, String tag, Optional<LabelVersion> v) {
        return AuditEvent.of(action, actor)
                .with("image", imageId)
                .with("tag", tag)
                .with("version", v.map(LabelVersion::version).orElse(null));
    }

    /**
     * Saves a label (the upload is moved into the datastore), if the precondition holds.
     *
     * @param info the label's info, stored as given (plus {@code ts} and {@code name})
     * @return the new version, when the datastore keeps a history
     * @throws ConflictException if the precondition refuses it (nothing is stored)
     * @throws NotFoundException if there is no such image
     */
    public Optional<LabelVersion> save(
            String imageId,
            String tag,
            Upload label,
            Map<String, Object> info,
            Actor actor,
            Precondition precondition)
            throws IOException {
        Objects.requireNonNull(label, "label");
        return save(
                imageId,
                tag,
                label.file(),
                label.fileName(),
                info,
                Transfer.MOVE,
                actor,
                precondition);
    }

    /** A save of the server's own (an inference's {@code save_label}, batch inference). */
    Optional<LabelVersion> save(
            String imageId,
            String tag,
            Path file,
            String fileName,
            Map<String, Object> info,
            Transfer transfer,
            Actor actor,
            Precondition precondition)
            throws IOException {
        Objects.requireNonNull(info, "info");
        String clientId = LabelEdit.clientIdOf(info);
        Optional<LabelVersion> version;
        if (versioned().isPresent()) {
            version =
                    Optional.of(
                            versioned()
                                    .get()
                                    .saveLabel(
                                            imageId,
                                            tag,
                                            file,
                                            fileName,
                                            info,
                                            transfer,
                                            edit(actor, clientId, imageId, tag, precondition)));
        } else {
            requireNone(precondition);
            datastore.saveLabel(imageId, tag, file, fileName, info, transfer);
            version = Optional.empty();
        }
        audit.record(
                event("label.saved", actor, imageId, tag, version)
                        .with(
                                "replaced",
                                version.map(v -> v.replaced() == 0 ? null : v.replaced())
                                        .orElse(null))
                        .with("client_id", clientId.isEmpty() ? null : clientId)
                        .with("model", info.get("model") instanceof String m ? m : null)
                        .with("size", version.map(LabelVersion::size).orElse(null))
                        .with("sha256", version.map(LabelVersion::sha256).orElse(null)));
        if (Datastore.FINAL.equals(tag)) {
            finalSaved.accept(imageId);
        }
        return version;
    }

    /**
     * Removes the label (its files stay in the history), if the precondition holds.
     *
     * @return the removal, when there was a label and the datastore keeps a history
     */
    public Optional<LabelVersion> remove(
            String imageId, String tag, Actor actor, Precondition precondition) throws IOException {
        boolean existed = datastore.labelTags(imageId).contains(tag);
        Optional<LabelVersion> removal;
        if (versioned().isPresent()) {
            removal =
                    versioned()
                            .get()
                            .removeLabel(imageId, tag, edit(actor, "", imageId, tag, precondition));
        } else {
            requireNone(precondition);
            datastore.removeLabel(imageId, tag);
            removal = Optional.empty();
        }
        if (existed || removal.isPresent()) {
            audit.record(event("label.removed", actor, imageId, tag, removal));
        }
        return removal;
    }

    /**
     * Merges {@code info} into the label's info (a shallow update), if the precondition holds.
     *
     * @throws NotFoundException if there is no such label
     */
    public void updateInfo(
            String imageId,
            String tag,
            Map<String, Object> info,
            Actor actor,
            Precondition precondition)
            throws IOException {
        Optional<LabelVersion> version = update(imageId, tag, info, actor, precondition);
        audit.record(
                event("label.info_updated", actor, imageId, tag, version)
                        .with("keys", List.copyOf(info.keySet())));
    }

    private Optional<LabelVersion> update(
            String imageId,
            String tag,
            Map<String, Object> info,
            Actor actor,
            Precondition precondition)
            throws IOException {
        if (versioned().isPresent()) {
            return Optional.of(
                    versioned()
                            .get()
                            .updateLabelInfo(
                                    imageId,
                                    tag,
                                    info,
                                    edit(actor, "", imageId, tag, precondition)));
        }
        requireNone(precondition);
        if (datastore.labelInfo(imageId, tag).isEmpty()) {
            throw new NotFoundException("Label '" + imageId + "' with tag '" + tag + "' not found");
        }
        datastore.updateLabelInfo(imageId, tag, info);
        return Optional.empty();
    }

    /**
     * Records a review of the label's current version in its info, as the Slicer Reviewer does (see
     * the class comment), if the precondition holds (so a reviewer who names the version reviewed
     * with {@code If-Match} never approves a version saved since).
     *
     * @throws NotFoundException if there is no such label
     */
    public ReviewedLabel review(
            String imageId, String tag, Review review, Actor actor, Precondition precondition)
            throws IOException {
        Objects.requireNonNull(review, "review");
        Map<String, Object> before =
                datastore
                        .labelInfo(imageId, tag)
                        .orElseThrow(
                                () ->
                                        new NotFoundException(
                                                "Label '"
                                                        + imageId
                                                        + "' with tag '"
                                                        + tag
                                                        + "' not found"));
        String level =
                review.level()
                        .orElseGet(() -> String.valueOf(meta(before).getOrDefault("level", "")));
        String reviewer =
                actor.user().equals(Actor.ANONYMOUS_USER) && review.reviewer().isPresent()
                        ? review.reviewer().get()
                        : actor.user();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("status", review.state().reviewerStatus());
        meta.put("approvedBy", reviewer);
        meta.put("level", level);
        meta.put("comment", review.comment());
        meta.put("editTime", Instant.now().getEpochSecond());
        Optional<LabelVersion> version =
                update(imageId, tag, Map.of(SEGMENTATION_META, meta), actor, precondition);
        otherTags(imageId, tag, level, actor);
        audit.record(
                event("label.reviewed", actor, imageId, tag, version)
                        .with("state", review.state().wireName())
                        .with("reviewer", reviewer)
                        .with("comment", review.comment())
                        .with("level", level));
        return new ReviewedLabel(imageId, tag, version, meta);
    }

    /** As the Reviewer: the image's other reviewed tags lose their approval and take the level. */
    private void otherTags(String imageId, String reviewed, String level, Actor actor)
            throws IOException {
        for (String tag : datastore.labelTags(imageId)) {
            if (tag.equals(reviewed)) {
                continue;
            }
            Optional<Map<String, Object>> info = datastore.labelInfo(imageId, tag);
            if (info.isEmpty() || !(info.get().get(SEGMENTATION_META) instanceof Map<?, ?>)) {
                continue;
            }
            Map<String, Object> meta = new LinkedHashMap<>(meta(info.get()));
            boolean changed = false;
            if (ReviewState.APPROVED.reviewerStatus().equals(meta.get("status"))) {
                meta.put("status", ReviewState.PENDING.reviewerStatus());
                changed = true;
            }
            if (!level.isEmpty() && !level.equals(meta.get("level"))) {
                meta.put("level", level);
                changed = true;
            }
            if (changed) {
                update(imageId, tag, Map.of(SEGMENTATION_META, meta), actor, Precondition.none());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> meta(Map<String, Object> info) {
        return info.get(SEGMENTATION_META) instanceof Map<?, ?> m
                ? (Map<String, Object>) m
                : Map.of();
    }

    /**
     * The label's versions, oldest first (empty if it never existed, or the datastore keeps no
     * history).
     *
     * @throws NotFoundException if there is no such image
     */
    public List<LabelVersion> history(String imageId, String tag) throws IOException {
        if (versioned().isEmpty()) {
            datastore.labelTags(imageId); // an unknown image: 404
            return List.of();
        }
        return versioned().get().labelHistory(imageId, tag);
    }

    /**
     * The label's current file: the file of its current version when the datastore keeps a history
     * (so that the file and its entity tag always agree), else the file in place.
     */
    public Optional<LabelFile> current(String imageId, String tag) throws IOException {
        if (versioned().isPresent()) {
            Optional<LabelVersion> version = versioned().get().currentLabel(imageId, tag);
            if (version.isPresent()) {
                Path file =
                        versioned().get().labelVersionFile(imageId, tag, version.get().version());
                if (Files.isRegularFile(file)) { // else the history's folder was deleted by hand
                    return Optional.of(new LabelFile(file, version.get().name(), version));
                }
            }
        }
        return datastore
                .labelFile(imageId, tag)
                .map(f -> new LabelFile(f, f.getFileName().toString(), Optional.empty()));
    }

    /**
     * The file of one version of the label.
     *
     * @throws NotFoundException if there is no such version, it is a removal, or the datastore
     *     keeps no history
     */
    public LabelFile version(String imageId, String tag, int version) throws IOException {
        List<LabelVersion> versions = history(imageId, tag);
        if (version < 1 || version > versions.size() || versions.get(version - 1).removed()) {
            throw new NotFoundException(
                    "Label '"
                            + imageId
                            + "' with tag '"
                            + tag
                            + "' has no version "
                            + version
                            + " with a file");
        }
        LabelVersion v = versions.get(version - 1);
        return new LabelFile(
                versioned().orElseThrow().labelVersionFile(imageId, tag, version),
                v.name(),
                Optional.of(v));
    }
}
