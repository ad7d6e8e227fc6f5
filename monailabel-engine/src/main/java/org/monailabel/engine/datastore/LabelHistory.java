package org.monailabel.engine.datastore;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonLineFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label history of a studies folder ({@link VersionedLabels}), next to MONAI Label's files but
 * out of their way, in the hidden folder {@value #DIR}: {@value #INDEX} holds one JSON line per
 * version ({@link JsonLineFile}: synced, a torn last line tolerated), and {@code
 * <tag>/<id>/<version><ext>} the file of every saved version. MONAI Label never looks there: it
 * lists only the files directly in the images folder and in each folder of {@code labels/}, and
 * keeps no key of ours in {@code datastore_v2.json}.
 *
 * <p>A version's file is a copy, not a hard link to the label in place: MONAI Label (and other
 * tools) write label files in place, which would change a linked version too.
 *
 * <p>Crash-safe: a save copies the new file here and syncs its line before the label file is moved
 * into place; a removal syncs its line before the file is deleted. At open, the last version of
 * every label is checked against the label in place (size and modification time, else the SHA-256);
 * one whose change never took effect (the process died in between) is voided, with a line {@code
 * {"action": "void"}}, and its number is used again, so numbers stay contiguous. A label that
 * changed behind the datastore's back is recorded ({@link LabelVersion.Action#FOUND}, or a removal
 * by {@value LabelEdit#UNKNOWN}) when it is next used ({@link #sync}).
 *
 * <p>The index is guarded by this object's monitor; changes to one label are serialised by the
 * caller (the operation lock of its image, see {@link FileOperations}).
 */
final class LabelHistory implements AutoCloseable {
    /** The history's folder, in the studies folder. */
    static final String DIR = ".monailabel-history";

    /** The index file, in {@link #DIR}. */
    static final String INDEX = "history.jsonl";

    private static final Logger logger = LoggerFactory.getLogger(LabelHistory.class);
    private static final String VOID = "void";

    record Key(String imageId, String tag) {}

    /** A version with what the history keeps of it beyond the public record. */
    record Entry(LabelVersion version, long mtime, String file) {}

    /** The SHA-256 of a label file in place, as of its size and modification time. */
    private record Stamp(long size, long mtime, String sha256) {}

    private final Path dir;
    private final boolean readOnly;
    private final Map<Key, List<Entry>> entries = new HashMap<>();
    private final Map<Key, Stamp> hashed = new HashMap<>();
    private Optional<JsonLineFile> index = Optional.empty();

    private LabelHistory(Path dir, boolean readOnly) {
        this.dir = dir;
        this.readOnly = readOnly;
    }

    /** Reads the history of a studies folder (none yet if there is no {@link #DIR}). */
    static LabelHistory open(Path studies, boolean readOnly) throws IOException {
        LabelHistory history = new LabelHistory(studies.resolve(DIR), readOnly);
        JsonLineFile.Lines lines = JsonLineFile.read(history.dir.resolve(INDEX));
        if (lines.skipped() > 0) {
            logger.warn(
                    "Skipped {} torn or corrupt line(s) of the label history {}",
                    lines.skipped(),
                    history.dir.resolve(INDEX));
        }
        for (JsonObject record : lines.records()) {
            try {
                history.apply(record);
            } catch (RuntimeException e) {
                logger.warn(
                        "Skipping a malformed label history record {}: {}", record, e.toString());
            }
        }
        return history;
    }

    private synchronized void apply(JsonObject record) {
        Key key = new Key(record.get("image").getAsString(), record.get("tag").getAsString());
        int version = record.get("version").getAsInt();
        List<Entry> list = entries.computeIfAbsent(key, k -> new ArrayList<>());
        if (VOID.equals(record.get("action").getAsString())) {
            if (!list.isEmpty() && list.get(list.size() - 1).version().version() == version) {
                list.remove(list.size() - 1);
            }
            return;
        }
        Entry entry = fromJson(key, record);
        while (list.size() >= version) {
            list.remove(list.size() - 1); // a number used again after a void not seen
        }
        list.add(entry);
    }

    /** The label's versions, oldest first. */
    synchronized List<LabelVersion> versions(String imageId, String tag) {
        List<Entry> list = entries.get(new Key(imageId, tag));
        return list == null ? List.of() : list.stream().map(Entry::version).toList();
    }

    private synchronized Optional<Entry> last(Key key) {
        List<Entry> list = entries.get(key);
        return list == null || list.isEmpty()
                ? Optional.empty()
                : Optional.of(list.get(list.size() - 1));
    }

    /**
     * Brings the history up to the label in place ({@code current}, empty if there is none): a file
     * no version describes is recorded as found, a label gone as removed by {@value
     * LabelEdit#UNKNOWN}. Returns the versions, oldest first. Read-only: records nothing.
     */
    List<LabelVersion> sync(String imageId, String tag, Optional<Path> current) throws IOException {
        Key key = new Key(imageId, tag);
        Optional<Entry> last = last(key);
        if (!readOnly && !describes(key, last, current)) {
            if (current.isPresent()) {
                keepFound(key, current.get(), last);
            } else {
                LabelEdit unknown = new LabelEdit(LabelEdit.UNKNOWN, "", "", LabelEdit.ANY);
                append(removal(key, last.orElseThrow(), unknown));
            }
        }
        return versions(imageId, tag);
    }

    /** Whether {@code entry} (empty: no label) describes the label in place. */
    private boolean describes(Key key, Optional<Entry> entry, Optional<Path> current)
            throws IOException {
        boolean none = entry.isEmpty() || entry.get().version().removed();
        if (current.isEmpty() || none) {
            return current.isEmpty() && none;
        }
        LabelVersion version = entry.get().version();
        BasicFileAttributes attributes =
                Files.readAttributes(current.get(), BasicFileAttributes.class);
        if (attributes.size() != version.size()) {
            return false;
        }
        return attributes.lastModifiedTime().toMillis() == entry.get().mtime()
                || sha256(key, current.get(), attributes).equals(version.sha256());
    }

    private String sha256(Key key, Path file, BasicFileAttributes attributes) throws IOException {
        long mtime = attributes.lastModifiedTime().toMillis();
        synchronized (this) {
            Stamp stamp = hashed.get(key);
            if (stamp != null && stamp.size() == attributes.size() && stamp.mtime() == mtime) {
                return stamp.sha256();
            }
        }
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String hex = HexFormat.of().formatHex(digest.digest());
        synchronized (this) {
            hashed.put(key, new Stamp(attributes.size(), mtime, hex));
        }
        return hex;
    }

    private void keepFound(Key key, Path current, Optional<Entry> last) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(current, BasicFileAttributes.class);
        int version = next(key);
        String name = current.getFileName().toString();
        Kept kept = keep(key, version, name, current);
        long mtime = attributes.lastModifiedTime().toMillis();
        append(
                new Entry(
                        new LabelVersion(
                                key.imageId(),
                                key.tag(),
                                version,
                                LabelVersion.Action.FOUND,
                                replacedBy(last),
                                Instant.ofEpochMilli(mtime),
                                LabelEdit.UNKNOWN,
                                "",
                                "",
                                kept.size(),
                                kept.sha256(),
                                name),
                        mtime,
                        kept.file()));
        logger.info(
                "Label '{}' (tag '{}') changed outside the datastore: kept as version {}",
                key.imageId(),
                key.tag(),
                version);
    }

    /**
     * Records a save of {@code staged} (complete and synced, about to be moved into place as {@code
     * name}): copies it into the history and syncs its line. The caller then moves it into place,
     * or {@linkplain #voidVersion voids} the version if that fails.
     */
    Entry prepare(String imageId, String tag, Path staged, String name, LabelEdit edit)
            throws IOException {
        Key key = new Key(imageId, tag);
        long mtime = Files.getLastModifiedTime(staged).toMillis();
        int version = next(key);
        int replaced = replacedBy(last(key));
        Kept kept = keep(key, version, name, staged);
        Entry entry =
                new Entry(
                        new LabelVersion(
                                imageId,
                                tag,
                                version,
                                LabelVersion.Action.SAVED,
                                replaced,
                                now(),
                                edit.user(),
                                edit.clientId(),
                                edit.address(),
                                kept.size(),
                                kept.sha256(),
                                name),
                        mtime,
                        kept.file());
        append(entry);
        synchronized (this) {
            hashed.put(key, new Stamp(kept.size(), mtime, kept.sha256()));
        }
        return entry;
    }

    /** Records the removal of the current version (the caller deletes the file next). */
    LabelVersion recordRemoval(String imageId, String tag, LabelEdit edit) throws IOException {
        Key key = new Key(imageId, tag);
        Entry removal = removal(key, last(key).orElseThrow(), edit);
        append(removal);
        return removal.version();
    }

    private Entry removal(Key key, Entry last, LabelEdit edit) {
        return new Entry(
                new LabelVersion(
                        key.imageId(),
                        key.tag(),
                        last.version().version() + 1,
                        LabelVersion.Action.REMOVED,
                        replacedBy(Optional.of(last)),
                        now(),
                        edit.user(),
                        edit.clientId(),
                        edit.address(),
                        0,
                        "",
                        ""),
                0,
                "");
    }

    /** Undoes the last version of its label: a change that did not take effect. */
    void voidVersion(Entry entry) throws IOException {
        LabelVersion version = entry.version();
        Key key = new Key(version.imageId(), version.tag());
        JsonObject record = new JsonObject();
        record.addProperty("action", VOID);
        record.addProperty("image", key.imageId());
        record.addProperty("tag", key.tag());
        record.addProperty("version", version.version());
        index().append(record);
        synchronized (this) {
            List<Entry> list = entries.get(key);
            if (list != null && !list.isEmpty() && list.get(list.size() - 1).equals(entry)) {
                list.remove(list.size() - 1);
            }
            hashed.remove(key);
        }
        if (!entry.file().isEmpty()) {
            Files.deleteIfExists(dir.resolve(entry.file()));
        }
    }

    /**
     * At open: voids the last version of every label whose change never took effect (the label in
     * place is what the version before it describes).
     *
     * @param current the label file in place of a label, if there is one
     */
    void recover(Function<Key, Optional<Path>> current) throws IOException {
        if (readOnly) {
            return;
        }
        List<Key> keys;
        synchronized (this) {
            keys = List.copyOf(entries.keySet());
        }
        int voided = 0;
        for (Key key : keys) {
            List<Entry> list;
            synchronized (this) {
                list = List.copyOf(entries.get(key));
            }
            if (list.isEmpty()) {
                continue;
            }
            Optional<Path> file = current.apply(key);
            Entry last = list.get(list.size() - 1);
            if (describes(key, Optional.of(last), file)) {
                continue;
            }
            Optional<Entry> before =
                    list.size() > 1 ? Optional.of(list.get(list.size() - 2)) : Optional.empty();
            if (describes(key, before, file)) {
                voidVersion(last);
                voided++;
                logger.info(
                        "Label '{}' (tag '{}'): version {} did not take effect before a crash;"
                                + " voided",
                        key.imageId(),
                        key.tag(),
                        last.version().version());
            }
        }
        if (voided > 0) {
            logger.info("Voided {} label version(s) left by an earlier crash", voided);
        }
    }

    /** The file of a saved version. */
    Path file(String imageId, String tag, int version) {
        Key key = new Key(imageId, tag);
        Entry entry;
        synchronized (this) {
            List<Entry> list = entries.get(key);
            entry =
                    list == null || version < 1 || version > list.size()
                            ? null
                            : list.get(version - 1);
        }
        if (entry == null || entry.version().removed()) {
            throw new NotFoundException(
                    "Label '"
                            + imageId
                            + "' with tag '"
                            + tag
                            + "' has no version "
                            + version
                            + (entry == null ? "" : " with a file (it is a removal)"));
        }
        return dir.resolve(entry.file());
    }

    private synchronized int next(Key key) {
        List<Entry> list = entries.get(key);
        return list == null ? 1 : list.size() + 1;
    }

    private static int replacedBy(Optional<Entry> last) {
        return last.filter(e -> !e.version().removed()).map(e -> e.version().version()).orElse(0);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A version's file copied into the history. */
    private record Kept(String file, long size, String sha256) {}

    /**
     * Copies {@code source} durably to {@code <tag>/<id>/<version><ext>}, hashing it on the way.
     */
    private Kept keep(Key key, int version, String name, Path source) throws IOException {
        String ext = name.startsWith(key.imageId()) ? name.substring(key.imageId().length()) : "";
        Path folder = createDirectories(dir.resolve(key.tag()).resolve(key.imageId()));
        Path target = folder.resolve(version + ext);
        Path temp = folder.resolve(DurableFiles.TEMP_PREFIX + UUID.randomUUID());
        MessageDigest digest = sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest);
                FileChannel channel =
                        FileChannel.open(
                                temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            size = in.transferTo(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        // a file left there is a voided version's or one a crash left without its line
        Files.move(
                temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncDirectory(folder);
        return new Kept(
                dir.relativize(target).toString(), size, HexFormat.of().formatHex(digest.digest()));
    }

    /** Creates the folders down to {@code folder}, syncing each new one's parent. */
    private Path createDirectories(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return folder;
        }
        createDirectories(folder.getParent());
        DurableFiles.createDirectory(folder);
        return folder;
    }

    private synchronized JsonLineFile index() throws IOException {
        if (index.isEmpty()) {
            createDirectories(dir);
            index = Optional.of(JsonLineFile.open(dir.resolve(INDEX)));
        }
        return index.get();
    }

    private void append(Entry entry) throws IOException {
        JsonObject record = toJson(entry);
        JsonLineFile file = index();
        synchronized (this) {
            file.append(record);
            Key key = new Key(entry.version().imageId(), entry.version().tag());
            entries.computeIfAbsent(key, k -> new ArrayList<>()).add(entry);
        }
    }

    private static JsonObject toJson(Entry entry) {
        LabelVersion v = entry.version();
        JsonObject json = new JsonObject();
        json.addProperty("action", v.action().wireName());
        json.addProperty("image", v.imageId());
        json.addProperty("tag", v.tag());
        json.addProperty("version", v.version());
        json.addProperty("replaced", v.replaced());
        json.addProperty("time", v.time().toString());
        json.addProperty("user", v.user());
        json.addProperty("client_id", v.clientId());
        json.addProperty("address", v.address());
        json.addProperty("size", v.size());
        json.addProperty("sha256", v.sha256());
        json.addProperty("name", v.name());
        json.addProperty("mtime", entry.mtime());
        json.addProperty("file", entry.file());
        return json;
    }

    private static Entry fromJson(Key key, JsonObject json) {
        LabelVersion version =
                new LabelVersion(
                        key.imageId(),
                        key.tag(),
                        json.get("version").getAsInt(),
                        LabelVersion.Action.valueOf(
                                json.get("action").getAsString().toUpperCase(Locale.ROOT)),
                        json.get("replaced").getAsInt(),
                        Instant.parse(json.get("time").getAsString()),
                        json.get("user").getAsString(),
                        json.get("client_id").getAsString(),
                        json.get("address").getAsString(),
                        json.get("size").getAsLong(),
                        json.get("sha256").getAsString(),
                        json.get("name").getAsString());
        return new Entry(version, json.get("mtime").getAsLong(), json.get("file").getAsString());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (index.isPresent()) {
            index.get().close();
        }
    }
}
