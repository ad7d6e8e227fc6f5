package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.Datastore;
import org.monailabel.api.Datastore.Transfer;

/**
 * A datastore whose labels keep their history: every save of a label makes a new version and keeps
 * the file it replaces, every removal is a version too, with who made it, when, from where and
 * which version it replaced. Changes may be conditional ({@link LabelEdit#condition}): the check
 * and the change are atomic per label, so of two saves expecting the same version exactly one
 * succeeds. The history survives restarts and crashes; a label file changed behind the datastore's
 * back becomes a version of its own ({@link LabelVersion.Action#FOUND}) when the label is next
 * used. Thread-safe.
 *
 * <p>The plain {@link Datastore} operations of an implementation keep the history too (as {@value
 * LabelEdit#SERVER}, unconditionally).
 */
public interface VersionedLabels {
    /**
     * The datastore's versioned view, when it has one.
     *
     * @return empty for a datastore that keeps no history
     */
    static Optional<VersionedLabels> of(Datastore datastore) {
        return datastore instanceof VersionedLabels v ? Optional.of(v) : Optional.empty();
    }

    /**
     * Saves a label as {@link Datastore#saveLabel(String, String, Path, String, Map, Transfer)}
     * does, if {@code edit}'s condition holds.
     *
     * @return the new version
     * @throws org.monailabel.api.error.ConflictException if the condition refuses it; nothing is
     *     stored then
     */
    LabelVersion saveLabel(
            String imageId,
            String tag,
            Path source,
            String sourceName,
            Map<String, Object> info,
            Transfer transfer,
            LabelEdit edit)
            throws IOException;

    /**
     * Removes the label with this tag, if {@code edit}'s condition holds; its files stay in the
     * history.
     *
     * @return the removal, or empty if there was no such label
     */
    Optional<LabelVersion> removeLabel(String imageId, String tag, LabelEdit edit)
            throws IOException;

    /** Removes an image and its labels, each label's removal recorded as {@code edit}'s. */
    void removeImage(String imageId, LabelEdit edit) throws IOException;

    /**
     * Merges {@code info} into the label's info (a shallow update), if {@code edit}'s condition
     * holds.
     *
     * @return the label's current version
     * @throws org.monailabel.api.error.NotFoundException if there is no such label
     */
    LabelVersion updateLabelInfo(
            String imageId, String tag, Map<String, Object> info, LabelEdit edit)
            throws IOException;

    /** The label's versions, oldest first; empty if it never existed. */
    List<LabelVersion> labelHistory(String imageId, String tag) throws IOException;

    /** The label's current version, unless there is no such label now. */
    Optional<LabelVersion> currentLabel(String imageId, String tag) throws IOException;

    /**
     * The file of a version: a local file that belongs to the datastore (read it, never change it),
     * which keeps its content for ever.
     *
     * @throws org.monailabel.api.error.NotFoundException if the label has no such version, or it is
     *     a removal
     */
    Path labelVersionFile(String imageId, String tag, int version) throws IOException;
}
