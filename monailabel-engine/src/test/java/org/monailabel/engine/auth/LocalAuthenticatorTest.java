package org.monailabel.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.TooManyAttemptsException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.testing.MutableClock;
import org.monailabel.testing.TestJwts;

/**
 * Local users signed in with the server's own HS256 tokens: what a token holds, when it stops being
 * valid, what forgeries look like, and that guessing is slowed down.
 */
class LocalAuthenticatorTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @TempDir static Path shared;
    static Path template;

    @TempDir Path dir;
    Path users;
    MutableClock clock;
    LocalAuthenticator auth;

    @BeforeAll
    static void users() throws Exception {
        template = shared.resolve("users.json");
        UsersFile.add(
                template,
                "alice",
                Role.ANNOTATOR,
                "alice-password".toCharArray(),
                "alice@example.org",
                "Alice A");
        UsersFile.add(template, "bob", Role.ADMIN, "bob-password".toCharArray(), "", "");
    }

    @BeforeEach
    void open() throws Exception {
        users = Files.copy(template, dir.resolve("users.json"));
        clock = MutableClock.now();
        auth = new LocalAuthenticator(users, KEY, Duration.ofMinutes(60), "monailabel-app", clock);
    }

    String signIn(String user, String password) throws Exception {
        return (String) auth.signIn(user, password.toCharArray(), "127.0.0.1").get("access_token");
    }

    @Test
    void aSignedInUsersTokenNamesTheUserAndTheRolesAsKeycloakDoes() throws Exception {
        Map<String, Object> reply = auth.signIn("alice", "alice-password".toCharArray(), "h");
        assertThat(reply).containsEntry("token_type", "bearer").containsEntry("expires_in", 3600L);
        String token = (String) reply.get("access_token");
        Map<String, Object> claims = TestJwts.decodeClaims(token);
        assertThat(claims)
                .containsEntry("iss", "monailabel")
                .containsEntry("sub", "alice")
                .containsEntry("preferred_username", "alice")
                .containsEntry("email", "alice@example.org")
                .containsEntry(
                        "realm_access",
                        Map.of("roles", List.of("monailabel-annotator", "monailabel-user")))
                .containsKeys("iat", "exp", "jti", "pwv");
        assertThat((long) claims.get("exp") - (long) claims.get("iat")).isEqualTo(3600);
        assertThat(claims.values().toString()).doesNotContain("pbkdf2");

        Identity alice = auth.verify(token);
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.name()).isEqualTo("Alice A");
        assertThat(alice.role()).contains(Role.ANNOTATOR);
        assertThat(alice.has(Role.USER)).isTrue();
        assertThat(alice.has(Role.ANNOTATOR)).isTrue();
        assertThat(alice.has(Role.REVIEWER)).isFalse();
        assertThat(auth.describe())
                .containsEntry("enabled", true)
                .containsEntry("client_id", "monailabel-app");
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreRefusedAlikeAndTakeTheSameTime() throws Exception {
        List<Long> wrongPassword = new ArrayList<>();
        List<Long> unknownUser = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wrongPassword.add(refusedNanos("alice", "not-her-password", "10.0.0." + i));
            unknownUser.add(refusedNanos("nobody" + i, "not-her-password", "10.0.1." + i));
        }
        long a = median(wrongPassword);
        long b = median(unknownUser);
        // both hash once; a shortcut for unknown names would be 100 times faster
        assertThat((double) b / a).as("unknown %d ns, wrong %d ns", b, a).isBetween(0.5, 2.0);
    }

    private long refusedNanos(String user, String password, String address) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> auth.signIn(user, password.toCharArray(), address))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessage("Incorrect username or password");
        return System.nanoTime() - start;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    @Test
    void tokensEndWhenTheUserIsRemovedOrChangesPasswordWithoutARestart() throws Exception {
        String alice = signIn("alice", "alice-password");
        String bob = signIn("bob", "bob-password");
        UsersFile.setPassword(users, "alice", "alice-new-password".toCharArray());
        assertThatThrownBy(() -> auth.verify(alice))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("password changed");
        assertThatThrownBy(() -> signIn("alice", "alice-password"))
                .isInstanceOf(UnauthorizedException.class);
        assertThat(auth.verify(signIn("alice", "alice-new-password")).username())
                .isEqualTo("alice");
        assertThat(auth.verify(bob).username()).isEqualTo("bob");

        UsersFile.remove(users, "bob");
        assertThatThrownBy(() -> auth.verify(bob))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("no such user");
        // a user added again under the same name with the same password gets a new salt
        UsersFile.add(users, "bob", Role.ADMIN, "bob-password".toCharArray(), "", "");
        assertThatThrownBy(() -> auth.verify(bob)).isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void aChangedRoleAppliesToTokensIssuedBefore() throws Exception {
        String token = signIn("alice", "alice-password");
        String text = Files.readString(users).replace("\"annotator\"", "\"user\"");
        Path edited = Files.writeString(dir.resolve("edited.json"), text);
        Files.move(edited, users, StandardCopyOption.REPLACE_EXISTING);
        assertThat(auth.verify(token).role()).contains(Role.USER);
    }

    @Test
    void tokensExpire() throws Exception {
        String token = signIn("alice", "alice-password");
        clock.advance(Duration.ofMinutes(59));
        assertThat(auth.verify(token).username()).isEqualTo("alice");
        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> auth.verify(token))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessage("Could not validate credentials: token expired");
    }

    @Test
    void forgedAndMalformedTokensAreRefused() throws Exception {
        String good = signIn("bob", "bob-password");
        Map<String, Object> claims = new LinkedHashMap<>(TestJwts.decodeClaims(good));
        String[] parts = good.split("\\.");
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("unsigned (alg none)", TestJwts.unsigned(claims));
        forged.put(
                "alg none with the real signature",
                TestJwts.input("none", null, claims) + "." + parts[2]);
        forged.put(
                "another key",
                TestJwts.hs256(
                        null,
                        claims,
                        "another-key-another-key-another-key".getBytes(StandardCharsets.UTF_8)));
        forged.put("RS256 header", TestJwts.input("RS256", null, claims) + "." + parts[2]);
        Map<String, Object> admin = new LinkedHashMap<>(claims);
        admin.put("sub", "alice");
        forged.put("claims changed", TestJwts.input("HS256", null, admin) + "." + parts[2]);
        Map<String, Object> otherIssuer = new LinkedHashMap<>(claims);
        otherIssuer.put("iss", "https://elsewhere");
        forged.put("other issuer, right key", TestJwts.hs256(null, otherIssuer, KEY));
        Map<String, Object> noExpiry = new LinkedHashMap<>(claims);
        noExpiry.remove("exp");
        forged.put("no expiry, right key", TestJwts.hs256(null, noExpiry, KEY));
        forged.put("two parts", parts[0] + "." + parts[1]);
        forged.put("four parts", good + ".x");
        forged.put("padding", good + "=");
        forged.put("not base64", parts[0] + ".%%%." + parts[2]);
        forged.put(
                "header not JSON",
                Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString("nope".getBytes(StandardCharsets.UTF_8))
                        + "."
                        + parts[1]
                        + "."
                        + parts[2]);
        forged.put("empty", "");
        forged.put("huge", "a".repeat(20_000) + ".b.c");
        for (Map.Entry<String, String> e : forged.entrySet()) {
            assertThatThrownBy(() -> auth.verify(e.getValue()))
                    .as(e.getKey())
                    .isInstanceOf(UnauthorizedException.class)
                    .hasMessageStartingWith("Could not validate credentials");
        }
        assertThat(auth.verify(good).username()).isEqualTo("bob");
    }

    @Test
    void repeatedFailuresLockTheNameOutWithoutCheckingThePassword() throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_PER_USER; i++) {
            int n = i;
            assertThatThrownBy(() -> signIn("bob", "guess-" + n))
                    .isInstanceOf(UnauthorizedException.class);
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> signIn("bob", "bob-password"))
                .isInstanceOfSatisfying(
                        TooManyAttemptsException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("refused before hashing")
                .isLessThan(Duration.ofMillis(100));
        clock.advance(Duration.ofSeconds(1));
        assertThat(auth.verify(signIn("bob", "bob-password")).username()).isEqualTo("bob");
    }

    @Test
    void aBrokenUsersFileRefusesEveryoneUntilFixed() throws Exception {
        String token = signIn("alice", "alice-password");
        byte[] good = Files.readAllBytes(users);
        Files.writeString(users, "{ half a file");
        assertThatThrownBy(() -> auth.verify(token))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("users file cannot be read");
        assertThatThrownBy(() -> signIn("alice", "alice-password"))
                .isInstanceOf(UnauthorizedException.class);
        Files.write(users, good);
        assertThat(auth.verify(token).username()).isEqualTo("alice");
    }

    @Test
    void theGeneratedKeyIsKeptOwnerOnlyAndReusedAndAShortSecretIsRefused() throws Exception {
        Path authDir = dir.resolve("work/auth");
        byte[] first = TokenKey.load(Optional.empty(), authDir);
        assertThat(first).hasSize(32);
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(authDir.resolve("token.key"))))
                .isEqualTo("rw-------");
        assertThat(TokenKey.load(Optional.empty(), authDir)).isEqualTo(first);
        assertThatThrownBy(() -> TokenKey.load(Optional.of("too short"), authDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32");
        // a server restarted with the same key accepts the tokens of the one before
        LocalAuthenticator a =
                LocalAuthenticator.open(users, Optional.empty(), authDir, Duration.ofHours(1), "c");
        String token =
                (String) a.signIn("alice", "alice-password".toCharArray(), "h").get("access_token");
        LocalAuthenticator b =
                LocalAuthenticator.open(users, Optional.empty(), authDir, Duration.ofHours(1), "c");
        assertThat(b.verify(token).username()).isEqualTo("alice");
    }
}
