package org.monailabel.engine.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.auth.UsersFile.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local users: passwords checked against the users file, which is read again whenever it changes (a
 * removed user or a new password takes effect at the next request, without a restart), and tokens
 * of our own ({@link LocalTokens}). A file that cannot be read or parsed while running refuses
 * every sign-in and token until it is fixed (logged once per change).
 *
 * <p>A wrong user name costs the same as a wrong password: an unknown name is checked against a
 * dummy hash with the iteration count most users of the file have. Failures are throttled by {@link
 * LoginThrottle}; at most as many passwords as there are processors (at least 2) are hashed at
 * once, a sign-in waiting more than 10 s for its turn gets a 503. Thread-safe.
 */
public final class LocalAuthenticator implements Authenticator {
    private static final Logger logger = LoggerFactory.getLogger(LocalAuthenticator.class);

    static final String BAD_CREDENTIALS = "Incorrect username or password";

    private final Path usersFile;
    private final LocalTokens tokens;
    private final LoginThrottle throttle;
    private final String clientId;
    private final Semaphore hashing =
            new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final Map<Integer, String> dummies = new HashMap<>();

    private Object fileVersion; // what the users were read from; null: not read yet
    private Map<String, User> users = Map.of();
    private String broken; // why the file cannot be used now, or null
    private int dummyIterations = PasswordHash.DEFAULT_ITERATIONS;

    LocalAuthenticator(Path usersFile, byte[] key, Duration expiry, String clientId, Clock clock)
            throws IOException {
        this.usersFile = Objects.requireNonNull(usersFile, "usersFile");
        this.tokens = new LocalTokens(key, expiry, clock);
        this.throttle = new LoginThrottle(clock);
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        UsersFile.read(usersFile); // at start, a missing or bad file is an error, not a state
        dummy(current().dummyIterations()); // made now, so that no sign-in pays for it
    }

    /**
     * Local users from {@code usersFile}, tokens signed with {@code secret} or the key in {@code
     * authDir}.
     *
     * @throws NoSuchFileException if the users file does not exist
     * @throws InvalidInputException if it is not a users file
     */
    public static LocalAuthenticator open(
            Path usersFile, Optional<String> secret, Path authDir, Duration expiry, String clientId)
            throws IOException {
        return new LocalAuthenticator(
                usersFile, TokenKey.load(secret, authDir), expiry, clientId, Clock.systemUTC());
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("enabled", true);
        json.put("client_id", clientId);
        json.put("realm", "local");
        return json;
    }

    @Override
    public Map<String, Object> signIn(String username, char[] password, String address) {
        if (username.isEmpty() || password.length == 0) {
            throw new InvalidInputException("Both username and password are required");
        }
        throttle.begin(username, address);
        boolean acquired;
        try {
            acquired = hashing.tryAcquire(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throttle.cancelled(username, address);
            throw new BusyException("Too many sign-ins at once; try again", 1);
        }
        User user;
        boolean ok;
        try {
            Snapshot s = current();
            user = s.users.get(username);
            String hash = user != null ? user.passwordHash() : dummy(s.dummyIterations);
            ok = PasswordHash.verify(password, hash) && user != null;
            if (s.broken != null) {
                throw new UnauthorizedException(s.broken);
            }
        } finally {
            hashing.release();
        }
        if (!ok) {
            logger.info("Sign-in of '{}' from {} failed", username, address);
            throw new UnauthorizedException(BAD_CREDENTIALS);
        }
        throttle.succeeded(username, address);
        logger.info("Signed in '{}' from {}", username, address);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("access_token", tokens.issue(user));
        json.put("token_type", "bearer");
        json.put("expires_in", tokens.expiry().toSeconds());
        return json;
    }

    @Override
    public Identity verify(String token) {
        Snapshot s = current();
        if (s.broken != null) {
            throw new UnauthorizedException(s.broken);
        }
        return tokens.verify(token, s.users);
    }

    @Override
    public String summary() {
        Snapshot s = current();
        return "local users from "
                + usersFile.toAbsolutePath()
                + " ("
                + s.users.size()
                + (s.users.size() == 1 ? " user" : " users")
                + "), tokens valid "
                + tokens.expiry().toSeconds()
                + " s";
    }

    private record Snapshot(Map<String, User> users, String broken, int dummyIterations) {}

    /** The users as the file holds them now, read again if it changed. */
    private synchronized Snapshot current() {
        Object version;
        try {
            BasicFileAttributes a = Files.readAttributes(usersFile, BasicFileAttributes.class);
            Object key = a.fileKey(); // a new inode after an atomic replace
            version = List.of(key == null ? "" : key, a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            version = e.getClass().getName();
        }
        if (!version.equals(fileVersion)) {
            fileVersion = version;
            try {
                users = Map.copyOf(UsersFile.read(usersFile));
                broken = null;
                dummyIterations = commonIterations(users);
                logger.info("Read {} users from {}", users.size(), usersFile);
            } catch (IOException | MonaiLabelException e) {
                users = Map.of();
                broken = "The users file cannot be read; nobody can sign in until it is fixed";
                logger.error(
                        "The users file {} cannot be used ({}): every sign-in and token is refused"
                                + " until it is fixed",
                        usersFile,
                        e instanceof NoSuchFileException ? "it is missing" : e.getMessage());
            }
        }
        return new Snapshot(users, broken, dummyIterations);
    }

    private static int commonIterations(Map<String, User> users) {
        return users.values().stream()
                .map(u -> PasswordHash.iterations(u.passwordHash()))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .entrySet()
                .stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(PasswordHash.DEFAULT_ITERATIONS);
    }

    /** A hash of a random password with {@code iterations}, made once per count. */
    private String dummy(int iterations) {
        synchronized (dummies) {
            return dummies.computeIfAbsent(
                    iterations,
                    n -> {
                        byte[] random = new byte[24];
                        new SecureRandom().nextBytes(random);
                        char[] password = Base64.getEncoder().encodeToString(random).toCharArray();
                        return PasswordHash.hash(
                                password, Math.max(n, PasswordHash.MIN_ITERATIONS));
                    });
        }
    }
}
