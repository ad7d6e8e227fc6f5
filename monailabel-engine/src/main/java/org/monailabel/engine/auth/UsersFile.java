package org.monailabel.engine.auth;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonTrees;

/**
 * The local users file: a JSON object {@code {"format": 1, "users": [{"name", "role", "password",
 * "email", "full_name"}, ...]}} whose passwords are {@link PasswordHash} hashes. Written atomically
 * and owner-only ({@link PrivateFiles}); changes made by two processes at once are serialized by a
 * lock on {@code .<file name>.lock} next to it. Stateless and thread-safe.
 */
public final class UsersFile {
    /** The format number written, and the only one read. */
    static final int FORMAT = 1;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 1024;

    private UsersFile() {}

    /**
     * A local user.
     *
     * @param name the user name
     * @param role the role
     * @param passwordHash the {@link PasswordHash} hash of the password
     * @param email the e-mail address, or empty
     * @param fullName the full name, or empty
     */
    public record User(String name, Role role, String passwordHash, String email, String fullName) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(passwordHash, "passwordHash");
            Objects.requireNonNull(email, "email");
            Objects.requireNonNull(fullName, "fullName");
        }
    }

    /**
     * The users in a file, by name in file order.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws InvalidInputException if it is not a users file
     */
    public static Map<String, User> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    /** Adds a user, creating the file if needed. */
    public static void add(
            Path file, String name, Role role, char[] password, String email, String fullName)
            throws IOException {
        checkName(name);
        checkPassword(password);
        String hash = PasswordHash.hash(password); // slow: outside the lock
        update(
                file,
                true,
                users -> {
                    if (users.containsKey(name)) {
                        throw new ConflictException(
                                "user '" + name + "' exists already in " + file);
                    }
                    users.put(name, new User(name, role, hash, email, fullName));
                    return users;
                });
    }

    /** Removes a user. */
    public static void remove(Path file, String name) throws IOException {
        update(
                file,
                false,
                users -> {
                    if (users.remove(name) == null) {
                        throw new NotFoundException("no user '" + name + "' in " + file);
                    }
                    return users;
                });
    }

    /** Sets a user's password (which ends the tokens issued before). */
    public static void setPassword(Path file, String name, char[] password) throws IOException {
        checkPassword(password);
        String hash = PasswordHash.hash(password);
        update(
                file,
                false,
                users -> {
                    User u = users.get(name);
                    if (u == null) {
                        throw new NotFoundException("no user '" + name + "' in " + file);
                    }
                    users.put(name, new User(name, u.role(), hash, u.email(), u.fullName()));
                    return users;
                });
    }

    /** Checks a user name: letters, digits and {@code . _ @ -}, up to 64, not starting with one. */
    public static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException(
                    "bad user name '"
                            + name
                            + "' (letters, digits and . _ @ -, at most 64, starting with a letter"
                            + " or digit)");
        }
    }

    /** Checks a new password's length and that it is one line. */
    public static void checkPassword(char[] password) {
        if (password.length < MIN_PASSWORD) {
            throw new InvalidInputException(
                    "the password is too short (at least " + MIN_PASSWORD + " characters)");
        }
        if (password.length > MAX_PASSWORD) {
            throw new InvalidInputException(
                    "the password is too long (at most " + MAX_PASSWORD + " characters)");
        }
        for (char c : password) {
            if (c == '\n' || c == '\r' || c == '\0') {
                throw new InvalidInputException("the password must be one line");
            }
        }
    }

    private static void update(Path file, boolean create, UnaryOperator<Map<String, User>> change)
            throws IOException {
        Path absolute = file.toAbsolutePath();
        Path lock = absolute.resolveSibling("." + absolute.getFileName() + ".lock");
        if (!create && !Files.exists(absolute)) {
            throw new NoSuchFileException(file.toString());
        }
        Files.createDirectories(absolute.getParent());
        try (FileChannel channel =
                        FileChannel.open(
                                lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            Map<String, User> users =
                    Files.exists(absolute) ? read(absolute) : new LinkedHashMap<>();
            PrivateFiles.write(absolute, format(change.apply(users)));
        }
    }

    static byte[] format(Map<String, User> users) {
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        JsonArray list = new JsonArray();
        for (User u : users.values()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", u.name());
            o.addProperty("role", u.role().plainName());
            o.addProperty("password", u.passwordHash());
            o.addProperty("email", u.email());
            o.addProperty("full_name", u.fullName());
            list.add(o);
        }
        root.add("users", list);
        return (JsonTrees.PRETTY.toJson(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, User> parse(String text, Path file) {
        String bad = file + " is not a users file: ";
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new InvalidInputException(bad + "invalid JSON");
        }
        if (!parsed.isJsonObject()
                || !parsed.getAsJsonObject().has("format")
                || !(parsed.getAsJsonObject().get("users") instanceof JsonArray)) {
            throw new InvalidInputException(bad + "expected {\"format\": 1, \"users\": [...]}");
        }
        JsonObject root = parsed.getAsJsonObject();
        if (!root.get("format").isJsonPrimitive()
                || !root.get("format").getAsString().equals(Integer.toString(FORMAT))) {
            throw new InvalidInputException(bad + "unknown format " + root.get("format"));
        }
        Map<String, User> users = new LinkedHashMap<>();
        int i = 0;
        for (JsonElement e : root.getAsJsonArray("users")) {
            i++;
            if (!e.isJsonObject()) {
                throw new InvalidInputException(bad + "user " + i + " is not an object");
            }
            JsonObject o = e.getAsJsonObject();
            String name = string(o, "name", bad + "user " + i);
            String where = bad + "user '" + name + "'";
            try {
                checkName(name);
            } catch (InvalidInputException ex) {
                throw new InvalidInputException(where + ": " + ex.getMessage());
            }
            String roleName = string(o, "role", where);
            Role role =
                    Role.parse(roleName)
                            .orElseThrow(
                                    () ->
                                            new InvalidInputException(
                                                    where + ": unknown role '" + roleName + "'"));
            String hash = string(o, "password", where);
            try {
                PasswordHash.check(hash);
            } catch (IllegalArgumentException ex) {
                throw new InvalidInputException(where + ": the password is " + ex.getMessage());
            }
            String email = o.has("email") ? string(o, "email", where) : "";
            String fullName = o.has("full_name") ? string(o, "full_name", where) : "";
            if (users.put(name, new User(name, role, hash, email, fullName)) != null) {
                throw new InvalidInputException(bad + "user '" + name + "' is listed twice");
            }
        }
        return users;
    }

    private static String string(JsonObject o, String key, String where) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new InvalidInputException(where + ": '" + key + "' must be a string");
        }
        return v.getAsString();
    }
}
