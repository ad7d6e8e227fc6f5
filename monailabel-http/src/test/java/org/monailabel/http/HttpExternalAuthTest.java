package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.testing.TestJwts;

/**
 * A server that accepts the tokens of an external identity provider ({@code --conf auth_issuer
 * --conf auth_jwks FILE}), with RSA and EC keys made in the test: Keycloak's and plain role names,
 * refusals, and a sign-in that says where tokens come from.
 */
class HttpExternalAuthTest {
    static final String ISSUER = "https://idp.example.org/realms/monailabel";

    @TempDir static Path root;

    static TestServer server;
    static KeyPair rsa;
    static KeyPair ec;

    @BeforeAll
    static void start() throws IOException {
        rsa = TestJwts.rsa();
        ec = TestJwts.ec();
        Path jwks = TestJwts.writeJwks(root.resolve("jwks.json"), Map.of("r1", rsa, "e1", ec));
        server =
                TestServer.start(
                        root,
                        b ->
                                b.conf("auth_issuer", ISSUER)
                                        .conf("auth_jwks", jwks.toString())
                                        .conf("auth_audience", "monailabel"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String token(String alg, String user, String... roles) {
        Map<String, Object> claims =
                new java.util.LinkedHashMap<>(
                        TestJwts.claims(ISSUER, user, Instant.now().getEpochSecond(), roles));
        claims.put("aud", List.of("account", "monailabel"));
        return alg.equals("RS256")
                ? TestJwts.sign("RS256", "r1", claims, rsa.getPrivate())
                : TestJwts.sign("ES256", "e1", claims, ec.getPrivate());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return server.send(
                HttpRequest.newBuilder(server.uri(path))
                        .header("Authorization", "Bearer " + token));
    }

    @Test
    void authNamesTheProviderAndSignInIsTheProviders() throws Exception {
        assertThat(TestServer.json(server.get("/auth/")))
                .containsEntry("enabled", true)
                .containsEntry("realm", ISSUER);
        HttpBadInputTest.assertError(server.signIn("alice", "password"), 400, ISSUER);
    }

    @Test
    void providerTokensAreAcceptedWithTheirRoles() throws Exception {
        String user = token("RS256", "alice", "offline_access", "monailabel-user");
        HttpResponse<String> valid = get("/auth/token/valid", user);
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(valid))
                .containsEntry("username", "alice")
                .containsEntry("email", "alice@example.org")
                .containsEntry("roles", List.of("offline_access", "monailabel-user"));
        assertThat(get("/info/", user).statusCode()).isEqualTo(200);
        HttpBadInputTest.assertError(get("/logs/", user), 403, "monailabel-admin");
        assertThat(get("/logs/?text=true", token("ES256", "root", "admin")).statusCode())
                .isEqualTo(200);
        HttpBadInputTest.assertError(
                get("/info/", token("ES256", "nobody", "offline_access")), 403, "monailabel-user");
    }

    @Test
    void tokensNotOfTheProviderAreRefused() throws Exception {
        Map<String, Object> claims =
                TestJwts.claims(ISSUER, "mallory", Instant.now().getEpochSecond(), "admin");
        for (String forged :
                List.of(
                        TestJwts.unsigned(claims),
                        TestJwts.hs256("r1", claims, rsa.getPublic().getEncoded()),
                        TestJwts.sign("RS256", "r1", claims, TestJwts.rsa().getPrivate()),
                        TestJwts.sign("RS256", "r1", claims, rsa.getPrivate()))) { // no audience
            HttpResponse<String> reply = get("/info/", forged);
            assertThat(reply.statusCode()).as(reply.body()).isEqualTo(401);
            assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(reply.body().getBytes(StandardCharsets.UTF_8)).isNotEmpty();
        }
    }
}
