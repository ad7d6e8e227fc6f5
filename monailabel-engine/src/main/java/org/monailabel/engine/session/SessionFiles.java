package org.monailabel.engine.session;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.monailabel.engine.datastore.DurableFiles;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's metadata file, {@code <root>/<id>.json}: {@code image} (the file's name in the
 * session folder, or {@code "."} for the folder), {@code meta}, {@code create_ts}, {@code
 * last_access_ts}, {@code expiry}. Written whole (temporary file, sync, rename), so it is either
 * the old or the new one.
 */
final class SessionFiles {
    static final String SUFFIX = ".json";

    private static final Logger logger = LoggerFactory.getLogger(SessionFiles.class);

    private SessionFiles() {}

    static Path metadata(Path root, String id) {
        return root.resolve(id + SUFFIX);
    }

    static void write(Path root, Session session) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("id", session.id());
        json.addProperty(
                "image",
                session.image().equals(session.dir())
                        ? "."
                        : session.dir().relativize(session.image()).toString());
        json.add("meta", JsonTrees.toJson(session.meta()));
        json.addProperty("create_ts", session.createTs());
        json.addProperty("last_access_ts", session.lastAccessTs());
        json.addProperty("expiry", session.expirySeconds());
        byte[] bytes = JsonTrees.toPrettyString(json).getBytes(StandardCharsets.UTF_8);
        DurableFiles.write(metadata(root, session.id()), out -> out.write(bytes));
    }

    /** The session of a folder, if its metadata is there and sound. */
    static Optional<Session> read(Path root, String id) {
        Path file = metadata(root, id);
        try {
            JsonObject json = JsonTrees.parseObject(Files.readString(file, StandardCharsets.UTF_8));
            Path dir = root.resolve(id);
            String image = json.get("image").getAsString();
            Path imagePath = image.equals(".") ? dir : dir.resolve(image).normalize();
            if (!imagePath.startsWith(dir) || !Files.exists(imagePath)) {
                logger.warn("Session {}: its image is missing", id);
                return Optional.empty();
            }
            return Optional.of(
                    new Session(
                            id,
                            dir,
                            imagePath,
                            JsonTrees.toJavaMap(json.getAsJsonObject("meta")),
                            json.get("create_ts").getAsLong(),
                            json.get("last_access_ts").getAsLong(),
                            json.get("expiry").getAsLong()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            logger.warn("Session {}: unreadable metadata: {}", id, e.toString());
            return Optional.empty();
        }
    }
}
