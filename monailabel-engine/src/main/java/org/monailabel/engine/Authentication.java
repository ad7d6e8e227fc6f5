package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.ForbiddenException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.auth.Authenticator;
import org.monailabel.engine.auth.ExternalAuthenticator;
import org.monailabel.engine.auth.Identity;
import org.monailabel.engine.auth.LocalAuthenticator;
import org.monailabel.engine.auth.Role;
import org.monailabel.engine.auth.UsersFile;

/**
 * Who may use the server: the application layer's entry to {@link org.monailabel.engine.auth}. Off
 * ({@link #off()}), every request is served. On, requests carry {@code Authorization: Bearer
 * <token>}: tokens this server signs for the local users of a users file ({@code --users FILE}), or
 * tokens of an external OpenID Connect provider ({@code --conf auth_issuer URL --conf auth_jwks
 * FILE|URL}). The settings (all optional but those two):
 *
 * <ul>
 *   <li>{@code auth_token_expiry_seconds} (local, default 3600): how long a token is valid;
 *   <li>{@code auth_secret} (local): the HMAC key, at least 32 characters; default: a random key
 *       generated on the first start in {@code <work dir>/auth/token.key};
 *   <li>{@code auth_audience}: the {@code aud} external tokens must name;
 *   <li>{@code auth_roles_claim} (default {@code realm_access.roles}), {@code auth_username_claim}
 *       (default {@code preferred_username}): where external tokens carry roles and user name;
 *   <li>{@code auth_clock_skew_seconds} (default 60): slack on external tokens' times;
 *   <li>{@code auth_token_url}, {@code auth_client_secret}: the provider's token endpoint, to pass
 *       {@code POST /auth/token} password grants on to;
 *   <li>{@code auth_client_id} (default {@code monailabel-app}): reported by {@code GET /auth/},
 *       sent to the token endpoint.
 * </ul>
 *
 * Thread-safe; the methods block (file reads, password hashing), call them on worker threads.
 */
public final class Authentication {
    /** The settings this class reads; any other {@code auth_*} setting is refused as a typo. */
    public static final Set<String> SETTINGS =
            Set.of(
                    "auth_secret",
                    "auth_token_expiry_seconds",
                    "auth_client_id",
                    "auth_issuer",
                    "auth_jwks",
                    "auth_audience",
                    "auth_roles_claim",
                    "auth_username_claim",
                    "auth_clock_skew_seconds",
                    "auth_token_url",
                    "auth_client_secret",
                    "auth_download_grant_seconds");

    static final long DEFAULT_EXPIRY_SECONDS = 3600;

    /** How long a client may download an image it was handed without a token, by default. */
    static final long DEFAULT_GRANT_SECONDS = 600;

    static final String DEFAULT_CLIENT_ID = "monailabel-app";

    private final Optional<Authenticator> authenticator;
    private volatile long grantMillis = DEFAULT_GRANT_SECONDS * 1000;
    private final Map<String, Long> grants = new java.util.concurrent.ConcurrentHashMap<>();

    private Authentication(Optional<Authenticator> authenticator) {
        this.authenticator = authenticator;
    }

    private Authentication withGrants(Map<String, String> conf) {
        grantMillis =
                seconds(conf, "auth_download_grant_seconds", DEFAULT_GRANT_SECONDS, 0, 86400)
                        * 1000;
        return this;
    }

    /**
     * Lets the client at {@code address} download {@code imageId} without a token for {@code
     * auth_download_grant_seconds} (default 600; 0: never): called when a signed-in client is
     * handed the image (next sample), because 3D Slicer's download of it (SampleData) sends no
     * token. Only that image, only from that address.
     */
    public void grantDownload(String address, String imageId) {
        if (enabled() && grantMillis > 0 && !address.isEmpty()) {
            long now = System.currentTimeMillis();
            grants.values().removeIf(expiry -> expiry < now);
            grants.put(address + "\n" + imageId, now + grantMillis);
        }
    }

    /** Whether {@link #grantDownload} let this address download this image, still. */
    public boolean downloadGranted(String address, String imageId) {
        Long expiry = grants.get(address + "\n" + imageId);
        return expiry != null && expiry >= System.currentTimeMillis();
    }

    /** No authentication: every request is served. */
    public static Authentication off() {
        return new Authentication(Optional.empty());
    }

    /**
     * Authentication as configured: local users when {@code usersFile} is given, an external
     * provider when {@code conf} has {@code auth_issuer}, off otherwise.
     *
     * @param conf the server's settings ({@code --conf}); only {@code auth_*} keys are read
     * @param workDir the server's private folder (the generated token key goes in {@code auth/})
     * @throws IllegalArgumentException for contradictory, unknown or malformed settings
     * @throws java.nio.file.NoSuchFileException if the users file does not exist
     */
    public static Authentication open(
            Optional<Path> usersFile, Map<String, String> conf, Path workDir) throws IOException {
        Objects.requireNonNull(usersFile, "usersFile");
        Objects.requireNonNull(workDir, "workDir");
        Set<String> unknown = new TreeSet<>();
        conf.keySet().stream()
                .filter(k -> k.startsWith("auth_") && !SETTINGS.contains(k))
                .forEach(unknown::add);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown setting "
                            + String.join(", ", unknown)
                            + " (known: "
                            + String.join(", ", new TreeSet<>(SETTINGS))
                            + ")");
        }
        Optional<String> issuer = setting(conf, "auth_issuer");
        String clientId = setting(conf, "auth_client_id").orElse(DEFAULT_CLIENT_ID);
        if (usersFile.isPresent() && issuer.isPresent()) {
            throw new IllegalArgumentException(
                    "--users and --conf auth_issuer exclude each other: choose local users or an"
                            + " identity provider");
        }
        if (usersFile.isPresent()) {
            for (String external :
                    List.of("auth_jwks", "auth_audience", "auth_token_url", "auth_client_secret")) {
                if (conf.containsKey(external)) {
                    throw new IllegalArgumentException(
                            "--conf " + external + " needs --conf auth_issuer, not --users");
                }
            }
            Duration expiry =
                    Duration.ofSeconds(
                            seconds(
                                    conf,
                                    "auth_token_expiry_seconds",
                                    DEFAULT_EXPIRY_SECONDS,
                                    1,
                                    30L * 24 * 3600));
            try {
                return new Authentication(
                                Optional.of(
                                        LocalAuthenticator.open(
                                                usersFile.get(),
                                                setting(conf, "auth_secret"),
                                                workDir.resolve("auth"),
                                                expiry,
                                                clientId)))
                        .withGrants(conf);
            } catch (InvalidInputException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        if (issuer.isPresent()) {
            for (String local : List.of("auth_secret", "auth_token_expiry_seconds")) {
                if (conf.containsKey(local)) {
                    throw new IllegalArgumentException(
                            "--conf " + local + " applies to local users (--users FILE) only");
                }
            }
            String jwks =
                    setting(conf, "auth_jwks")
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "--conf auth_issuer needs --conf auth_jwks"
                                                        + " FILE|URL (the provider's JWKS, e.g."
                                                        + " <issuer>/protocol/openid-connect/certs"
                                                        + " for Keycloak)"));
            ExternalAuthenticator.Settings settings =
                    new ExternalAuthenticator.Settings(
                            issuer.get(),
                            jwks,
                            setting(conf, "auth_audience"),
                            setting(conf, "auth_roles_claim").orElse("realm_access.roles"),
                            setting(conf, "auth_username_claim").orElse("preferred_username"),
                            Duration.ofSeconds(
                                    seconds(conf, "auth_clock_skew_seconds", 60, 0, 3600)),
                            clientId,
                            setting(conf, "auth_token_url"),
                            setting(conf, "auth_client_secret"));
            return new Authentication(Optional.of(ExternalAuthenticator.open(settings)))
                    .withGrants(conf);
        }
        Set<String> orphans = new TreeSet<>();
        conf.keySet().stream().filter(k -> k.startsWith("auth_")).forEach(orphans::add);
        if (!orphans.isEmpty()) {
            throw new IllegalArgumentException(
                    "--conf "
                            + String.join(", ", orphans)
                            + " without authentication: add --users FILE or --conf auth_issuer"
                            + " URL");
        }
        return off();
    }

    /** The settings without the {@code auth_*} ones, which apps are not given. */
    public static Map<String, String> withoutAuthSettings(Map<String, String> conf) {
        Map<String, String> out = new LinkedHashMap<>(conf);
        out.keySet().removeIf(k -> k.startsWith("auth_"));
        return out;
    }

    /** Whether requests need a token. */
    public boolean enabled() {
        return authenticator.isPresent();
    }

    /** One line on how users are checked, for the start message ({@code off} when off). */
    public String summary() {
        return authenticator.map(Authenticator::summary).orElse("off");
    }

    /** The {@code GET /auth/} reply: {@code {"enabled", "client_id", "realm"}}. */
    public Map<String, Object> status() {
        if (authenticator.isPresent()) {
            return authenticator.get().describe();
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("enabled", false);
        json.put("client_id", "");
        json.put("realm", "");
        return json;
    }

    /**
     * {@code POST /auth/token}: signs a user in with the password grant.
     *
     * @return {@code {"access_token", "token_type", "expires_in", ...}}
     * @throws org.monailabel.api.error.NotFoundException if authentication is off
     * @throws UnauthorizedException for a wrong user name or password
     * @throws org.monailabel.api.error.TooManyAttemptsException after too many failures
     */
    public Map<String, Object> signIn(String username, String password, String clientAddress)
            throws IOException {
        char[] chars = password.toCharArray();
        try {
            return on().signIn(username, chars, clientAddress);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * The user an {@code Authorization} header's bearer token belongs to.
     *
     * @param authorization the header's value, if sent
     * @throws UnauthorizedException without a bearer token, or with one that is not valid
     */
    public Identity authenticate(Optional<String> authorization) {
        Authenticator a = on();
        String header = authorization.map(String::trim).orElse("");
        if (header.isEmpty()) {
            throw new UnauthorizedException("Not authenticated");
        }
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            throw new UnauthorizedException(
                    "Not authenticated: expected 'Authorization: Bearer <token>'");
        }
        return a.verify(header.substring(space + 1).trim());
    }

    /**
     * Checks that {@code user} has {@code required} (or a role that includes it).
     *
     * @throws ForbiddenException otherwise, naming the role as MONAI Label does
     */
    public static void authorize(Identity user, Role required) {
        if (!user.has(required)) {
            throw new ForbiddenException(
                    "Role \"" + required.realmName() + "\" is required to perform this action");
        }
    }

    private Authenticator on() {
        return authenticator.orElseThrow(
                () -> new NotFoundException("Authentication is not enabled on this server"));
    }

    // the users file, for the users command

    /**
     * Checks what {@link #addUser} would refuse but the password: the role, the name, the file
     * (when it exists) and that the user is not in it yet.
     */
    public static void checkNewUser(Path usersFile, String name, String role) throws IOException {
        role(role);
        UsersFile.checkName(name);
        if (Files.exists(usersFile) && UsersFile.read(usersFile).containsKey(name)) {
            throw new ConflictException("user '" + name + "' exists already in " + usersFile);
        }
    }

    private static Role role(String role) {
        return Role.parse(role)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown role '"
                                                + role
                                                + "' (known: "
                                                + Role.known()
                                                + ")"));
    }

    /**
     * Adds a local user to a users file, creating it if needed.
     *
     * @throws IllegalArgumentException for an unknown role
     * @throws org.monailabel.api.error.ConflictException if the user exists
     */
    public static void addUser(
            Path usersFile,
            String name,
            String role,
            char[] password,
            String email,
            String fullName)
            throws IOException {
        UsersFile.add(usersFile, name, role(role), password, email, fullName);
    }

    /** Removes a local user (whose tokens stop being valid). */
    public static void removeUser(Path usersFile, String name) throws IOException {
        UsersFile.remove(usersFile, name);
    }

    /** Sets a local user's password (its earlier tokens stop being valid). */
    public static void setPassword(Path usersFile, String name, char[] password)
            throws IOException {
        UsersFile.setPassword(usersFile, name, password);
    }

    /** The local users of a users file, in file order. */
    public static List<Identity> users(Path usersFile) throws IOException {
        List<Identity> out = new ArrayList<>();
        for (UsersFile.User u : UsersFile.read(usersFile).values()) {
            out.add(
                    new Identity(
                            u.name(),
                            u.email(),
                            u.fullName(),
                            Optional.of(u.role()),
                            u.role().grantedRealmNames()));
        }
        return out;
    }

    private static Optional<String> setting(Map<String, String> conf, String key) {
        String v = conf.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static long seconds(
            Map<String, String> conf, String key, long defaultValue, long min, long max) {
        Optional<String> v = setting(conf, key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.get());
            if (n < min || n > max) {
                throw new IllegalArgumentException(
                        "--conf " + key + " must be " + min + ".." + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--conf " + key + " must be a number of seconds, got '" + v.get() + "'");
        }
    }
}
