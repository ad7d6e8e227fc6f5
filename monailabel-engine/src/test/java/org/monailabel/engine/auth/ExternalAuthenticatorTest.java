package org.monailabel.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.testing.MutableClock;
import org.monailabel.testing.TestJwts;

/**
 * Tokens of an OpenID Connect provider, made in the test with generated RSA and EC keys whose JWKS
 * the test writes: what is accepted, how roles and names are read, and every way a token can be
 * wrong.
 */
class ExternalAuthenticatorTest {
    static final String ISSUER = "http://keycloak:8080/realms/monailabel";

    static KeyPair rsa;
    static KeyPair ec;
    static KeyPair stranger;

    @TempDir Path dir;
    Path jwks;
    MutableClock clock;
    ExternalAuthenticator auth;

    @BeforeAll
    static void keys() {
        rsa = TestJwts.rsa();
        ec = TestJwts.ec();
        stranger = TestJwts.rsa();
    }

    @BeforeEach
    void open() throws Exception {
        jwks = TestJwts.writeJwks(dir.resolve("jwks.json"), Map.of("rsa-1", rsa, "ec-1", ec));
        clock = MutableClock.now();
        auth = open(settings(jwks.toString(), Optional.empty()));
    }

    ExternalAuthenticator open(ExternalAuthenticator.Settings settings) throws Exception {
        ExternalAuthenticator a = new ExternalAuthenticator(settings, clock);
        return a;
    }

    static ExternalAuthenticator.Settings settings(String jwks, Optional<String> audience) {
        return new ExternalAuthenticator.Settings(
                ISSUER,
                jwks,
                audience,
                "realm_access.roles",
                "preferred_username",
                Duration.ofSeconds(60),
                "monailabel-app",
                Optional.empty(),
                Optional.empty());
    }

    Map<String, Object> claims(String user, String... roles) {
        return new LinkedHashMap<>(
                TestJwts.claims(ISSUER, user, clock.instant().getEpochSecond(), roles));
    }

    @Test
    void rs256AndEs256TokensOfTheProviderAreAcceptedWithKeycloaksRolesAndNames() {
        Identity alice =
                auth.verify(
                        TestJwts.sign(
                                "RS256",
                                "rsa-1",
                                claims("alice", "offline_access", "monailabel-annotator"),
                                rsa.getPrivate()));
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.email()).isEqualTo("alice@example.org");
        assertThat(alice.name()).isEqualTo("Test alice");
        assertThat(alice.role()).contains(Role.ANNOTATOR);
        assertThat(alice.roles()).containsExactly("offline_access", "monailabel-annotator");

        Identity bob =
                auth.verify(
                        TestJwts.sign(
                                "ES256",
                                "ec-1",
                                claims("bob", "reviewer", "user"),
                                ec.getPrivate()));
        assertThat(bob.role()).contains(Role.REVIEWER);
        Identity carol =
                auth.verify(TestJwts.sign("ES256", "ec-1", claims("carol"), ec.getPrivate()));
        assertThat(carol.role()).isEmpty();
        assertThat(carol.has(Role.USER)).isFalse();
        assertThat(auth.describe())
                .containsEntry("enabled", true)
                .containsEntry("realm", ISSUER)
                .containsEntry("client_id", "monailabel-app");
    }

    @Test
    void timesAreCheckedWithTheClockSkew() {
        Map<String, Object> c = claims("alice", "monailabel-user");
        String token = TestJwts.sign("RS256", "rsa-1", c, rsa.getPrivate());
        clock.advance(Duration.ofSeconds(300 + 59)); // 59 s past exp: within the skew
        assertThat(auth.verify(token).username()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(1));
        assertRefused(token, "token expired");

        Map<String, Object> later = claims("alice", "monailabel-user");
        later.put("nbf", clock.instant().getEpochSecond() + 120);
        assertRefused(TestJwts.sign("RS256", "rsa-1", later, rsa.getPrivate()), "not valid yet");
        later.put("nbf", clock.instant().getEpochSecond() + 30);
        assertThat(auth.verify(TestJwts.sign("RS256", "rsa-1", later, rsa.getPrivate())))
                .isNotNull();
    }

    @Test
    void everyWrongTokenIsRefused() {
        Map<String, String> wrong = new LinkedHashMap<>();
        Map<String, Object> good = claims("mallory", "monailabel-admin");
        wrong.put("unsigned", TestJwts.unsigned(good));
        wrong.put(
                "another key under a known kid",
                TestJwts.sign("RS256", "rsa-1", good, stranger.getPrivate()));
        wrong.put("unknown kid", TestJwts.sign("RS256", "rsa-9", good, stranger.getPrivate()));
        wrong.put("no kid, another key", TestJwts.sign("RS256", null, good, stranger.getPrivate()));
        wrong.put(
                "RSA key's kid claimed as ES256",
                TestJwts.sign("ES256", "rsa-1", good, ec.getPrivate()));
        // the classic confusion: HS256 keyed with the public key the JWKS publishes
        wrong.put(
                "HS256 with the public key",
                TestJwts.hs256("rsa-1", good, rsa.getPublic().getEncoded()));
        Map<String, Object> otherIssuer = new LinkedHashMap<>(good);
        otherIssuer.put("iss", "http://keycloak:8080/realms/other");
        wrong.put("other issuer", TestJwts.sign("RS256", "rsa-1", otherIssuer, rsa.getPrivate()));
        Map<String, Object> noExp = new LinkedHashMap<>(good);
        noExp.remove("exp");
        wrong.put("no expiry", TestJwts.sign("RS256", "rsa-1", noExp, rsa.getPrivate()));
        Map<String, Object> noName = new LinkedHashMap<>(good);
        noName.remove("preferred_username");
        wrong.put("no user name", TestJwts.sign("RS256", "rsa-1", noName, rsa.getPrivate()));
        String es = TestJwts.sign("ES256", "ec-1", good, ec.getPrivate());
        wrong.put("ES256 signature cut", es.substring(0, es.length() - 4));
        String[] parts = TestJwts.sign("RS256", "rsa-1", good, rsa.getPrivate()).split("\\.");
        Map<String, Object> promoted = new LinkedHashMap<>(good);
        promoted.put("preferred_username", "admin");
        wrong.put(
                "claims changed after signing",
                TestJwts.input("RS256", "rsa-1", promoted) + "." + parts[2]);
        for (Map.Entry<String, String> e : wrong.entrySet()) {
            assertThatThrownBy(() -> auth.verify(e.getValue()))
                    .as(e.getKey())
                    .isInstanceOf(UnauthorizedException.class)
                    .hasMessageStartingWith("Could not validate credentials");
        }
    }

    @Test
    void theAudienceIsCheckedWhenConfigured() throws Exception {
        ExternalAuthenticator strict = open(settings(jwks.toString(), Optional.of("monailabel")));
        Map<String, Object> c = claims("alice", "monailabel-user");
        assertRefused(
                strict,
                TestJwts.sign("RS256", "rsa-1", c, rsa.getPrivate()),
                "not for audience monailabel");
        c.put("aud", List.of("account", "monailabel"));
        assertThat(strict.verify(TestJwts.sign("RS256", "rsa-1", c, rsa.getPrivate())).username())
                .isEqualTo("alice");
        c.put("aud", "monailabel");
        assertThat(strict.verify(TestJwts.sign("RS256", "rsa-1", c, rsa.getPrivate()))).isNotNull();
    }

    @Test
    void otherClaimsCanCarryRolesAndName() throws Exception {
        ExternalAuthenticator.Settings s = settings(jwks.toString(), Optional.empty());
        ExternalAuthenticator custom =
                open(
                        new ExternalAuthenticator.Settings(
                                s.issuer(),
                                s.jwks(),
                                s.audience(),
                                "resource_access.monailabel-app.roles",
                                "email",
                                s.clockSkew(),
                                s.clientId(),
                                s.tokenUrl(),
                                s.clientSecret()));
        Map<String, Object> c = claims("dave", "monailabel-admin");
        c.put("resource_access", Map.of("monailabel-app", Map.of("roles", List.of("annotator"))));
        Identity dave = custom.verify(TestJwts.sign("RS256", "rsa-1", c, rsa.getPrivate()));
        assertThat(dave.username()).isEqualTo("dave@example.org");
        assertThat(dave.role()).contains(Role.ANNOTATOR);
    }

    @Test
    void aRotatedKeyInTheJwksFileIsPickedUp() throws Exception {
        auth.verify(TestJwts.sign("RS256", "rsa-1", claims("a", "user"), rsa.getPrivate()));
        KeyPair next = TestJwts.rsa();
        TestJwts.writeJwks(jwks, Map.of("rsa-2", next));
        Files.setLastModifiedTime(
                jwks,
                java.nio.file.attribute.FileTime.fromMillis(
                        Files.getLastModifiedTime(jwks).toMillis() + 2000));
        assertThat(
                        auth.verify(
                                        TestJwts.sign(
                                                "RS256",
                                                "rsa-2",
                                                claims("a", "user"),
                                                next.getPrivate()))
                                .username())
                .isEqualTo("a");
        assertRefused(
                TestJwts.sign("RS256", "rsa-1", claims("a", "user"), rsa.getPrivate()),
                "bad signature");
    }

    @Test
    void aJwksUrlIsFetchedOnceAndAgainForAnUnknownKeyId() throws Exception {
        AtomicReference<String> served = new AtomicReference<>(TestJwts.jwks(Map.of("rsa-1", rsa)));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext(
                "/certs",
                exchange -> {
                    fetches.incrementAndGet();
                    byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        provider.start();
        try {
            String url = "http://127.0.0.1:" + provider.getAddress().getPort() + "/certs";
            ExternalAuthenticator remote = open(settings(url, Optional.empty()));
            for (int i = 0; i < 3; i++) {
                remote.verify(
                        TestJwts.sign("RS256", "rsa-1", claims("a", "user"), rsa.getPrivate()));
            }
            assertThat(fetches).hasValue(1);

            served.set(TestJwts.jwks(Map.of("rsa-1", rsa, "ec-2", ec)));
            String rotated = TestJwts.sign("ES256", "ec-2", claims("b", "user"), ec.getPrivate());
            clock.advance(Duration.ofSeconds(10));
            assertRefused(remote, rotated, "unknown key"); // refetched at most every 30 s
            assertThat(fetches).hasValue(1);
            clock.advance(Duration.ofSeconds(31));
            assertThat(remote.verify(rotated).username()).isEqualTo("b");
            assertThat(fetches).hasValue(2);
        } finally {
            provider.stop(0);
        }
    }

    @Test
    void withoutATokenEndpointSignInSaysWhereTokensComeFrom() {
        assertThatThrownBy(() -> auth.signIn("alice", "pw".toCharArray(), "h"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(ISSUER);
    }

    @Test
    void withATokenEndpointThePasswordGrantIsPassedOnAndTheReplyRelayed() throws Exception {
        AtomicReference<String> form = new AtomicReference<>();
        HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext(
                "/token",
                exchange -> {
                    String body =
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8);
                    form.set(body);
                    boolean ok = body.contains("password=right+one");
                    byte[] reply =
                            (ok
                                            ? "{\"access_token\": \"eyJ.x.y\", \"token_type\":"
                                                    + " \"Bearer\", \"expires_in\": 300,"
                                                    + " \"refresh_token\": \"r\"}"
                                            : "{\"error\": \"invalid_grant\"}")
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(ok ? 200 : 401, reply.length);
                    exchange.getResponseBody().write(reply);
                    exchange.close();
                });
        provider.start();
        try {
            String url = "http://127.0.0.1:" + provider.getAddress().getPort() + "/token";
            ExternalAuthenticator.Settings s = settings(jwks.toString(), Optional.empty());
            ExternalAuthenticator proxying =
                    open(
                            new ExternalAuthenticator.Settings(
                                    s.issuer(),
                                    s.jwks(),
                                    s.audience(),
                                    s.rolesClaim(),
                                    s.usernameClaim(),
                                    s.clockSkew(),
                                    "monailabel-app",
                                    Optional.of(url),
                                    Optional.of("s3cret")));
            Map<String, Object> reply = proxying.signIn("alice", "right one".toCharArray(), "h");
            assertThat(reply)
                    .containsEntry("access_token", "eyJ.x.y")
                    .containsEntry("token_type", "Bearer")
                    .containsEntry("refresh_token", "r");
            assertThat(form.get().split("&"))
                    .contains(
                            "grant_type=password",
                            "client_id=monailabel-app",
                            "client_secret=s3cret",
                            "username=alice",
                            "password=right+one");
            assertThatThrownBy(() -> proxying.signIn("alice", "wrong".toCharArray(), "h"))
                    .isInstanceOf(UnauthorizedException.class)
                    .hasMessage("Incorrect username or password");
        } finally {
            provider.stop(0);
        }
    }

    @Test
    void aMissingJwksFileIsAStartErrorAndAnUnreachableUrlIsNot() throws Exception {
        assertThatThrownBy(
                        () ->
                                ExternalAuthenticator.open(
                                        settings(
                                                dir.resolve("none.json").toString(),
                                                Optional.empty())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth_jwks");
        ExternalAuthenticator down =
                ExternalAuthenticator.open(settings("http://127.0.0.1:9/certs", Optional.empty()));
        assertThatThrownBy(
                        () ->
                                down.verify(
                                        TestJwts.sign(
                                                "RS256",
                                                "rsa-1",
                                                claims("a", "user"),
                                                rsa.getPrivate())))
                .isInstanceOf(org.monailabel.api.error.BusyException.class);
    }

    private void assertRefused(String token, String why) {
        assertRefused(auth, token, why);
    }

    private static void assertRefused(ExternalAuthenticator a, String token, String why) {
        assertThatThrownBy(() -> a.verify(token))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining(why);
    }
}
