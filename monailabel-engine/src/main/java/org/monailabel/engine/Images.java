package org.monailabel.engine;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.Datastore;
import org.monailabel.api.Datastore.Transfer;
import org.monailabel.engine.datastore.LabelEdit;
import org.monailabel.engine.datastore.VersionedLabels;

/**
 * The image use cases of clients ({@link MonaiLabel#images()}): add, remove and update info, each
 * made as an {@link Actor} and written to the {@link AuditLog}. Removing an image records the
 * removal of each of its labels in their history, whose files stay. Thread-safe.
 */
public final class Images {
    private final Datastore datastore;
    private final AuditLog audit;

    Images(Datastore datastore, AuditLog audit) {
        this.datastore = Objects.requireNonNull(datastore, "datastore");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * Adds or replaces an image (the upload is moved into the datastore; its content is checked).
     *
     * @return the image id
     */
    public String add(String imageId, Upload file, Map<String, Object> info, Actor actor)
            throws IOException {
        Objects.requireNonNull(file, "file");
        boolean replacing = imageId != null && datastore.hasImage(imageId);
        String id = datastore.addImage(imageId, file.file(), file.fileName(), info, Transfer.MOVE);
        audit.record(
                AuditEvent.of("image.added", actor)
                        .with("image", id)
                        .with("replaced", replacing)
                        .with("name", file.fileName()));
        return id;
    }

    /** Removes an image and its labels. */
    public void remove(String imageId, Actor actor) throws IOException {
        List<String> tags = List.copyOf(datastore.labelTags(imageId));
        if (VersionedLabels.of(datastore).isPresent()) {
            VersionedLabels.of(datastore)
                    .get()
                    .removeImage(
                            imageId,
                            new LabelEdit(actor.user(), "", actor.address(), LabelEdit.ANY));
        } else {
            datastore.removeImage(imageId);
        }
        audit.record(
                AuditEvent.of("image.removed", actor).with("image", imageId).with("labels", tags));
    }

    /** Merges {@code info} into the image's info (a shallow update). */
    public void updateInfo(String imageId, Map<String, Object> info, Actor actor)
            throws IOException {
        datastore.updateImageInfo(imageId, info);
        audit.record(
                AuditEvent.of("image.info_updated", actor)
                        .with("image", imageId)
                        .with("keys", List.copyOf(info.keySet())));
    }
}
