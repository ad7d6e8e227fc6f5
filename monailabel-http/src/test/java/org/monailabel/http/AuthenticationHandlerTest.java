package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.ForbiddenException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.auth.Role;
import org.monailabel.http.support.AuthenticationHandler;
import org.monailabel.http.support.Http;

/** {@link AuthenticationHandler} records who made a request in {@link Http#USER}. */
class AuthenticationHandlerTest {
    @TempDir static Path dir;
    static Authentication auth;
    static String token;

    @BeforeAll
    static void users() throws Exception {
        Path users = dir.resolve("users.json");
        Authentication.addUser(users, "alice", "annotator", "alice-pass".toCharArray(), "", "");
        auth = Authentication.open(Optional.of(users), Map.of(), dir);
        token = (String) auth.signIn("alice", "alice-pass", "h").get("access_token");
    }

    static HttpServerExchange exchange(String authorization) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        if (authorization != null) {
            exchange.getRequestHeaders().put(Headers.AUTHORIZATION, authorization);
        }
        return exchange;
    }

    @Test
    void theCheckedUserIsRecordedForTheEndpoint() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        new AuthenticationHandler(auth, Optional.of(Role.ANNOTATOR), ex -> seen.set(Http.user(ex)))
                .handleRequest(exchange("Bearer " + token));
        assertThat(seen).hasValue("alice");
    }

    @Test
    void aRefusedRequestNeverReachesTheEndpoint() {
        AtomicReference<String> seen = new AtomicReference<>();
        assertThatThrownBy(
                        () ->
                                new AuthenticationHandler(
                                                auth,
                                                Optional.of(Role.USER),
                                                ex -> seen.set("reached"))
                                        .handleRequest(exchange(null)))
                .isInstanceOf(UnauthorizedException.class);
        HttpServerExchange tooLow = exchange("Bearer " + token);
        assertThatThrownBy(
                        () ->
                                new AuthenticationHandler(
                                                auth,
                                                Optional.of(Role.ADMIN),
                                                ex -> seen.set("reached"))
                                        .handleRequest(tooLow))
                .isInstanceOf(ForbiddenException.class);
        assertThat(Http.user(tooLow)).as("known, though refused").isEqualTo("alice");
        assertThat(seen).hasValue(null);
    }

    @Test
    void withAuthenticationOffOrOnAnOpenRouteTheUserIsAnonymous() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        new AuthenticationHandler(
                        Authentication.off(),
                        Optional.of(Role.ADMIN),
                        ex -> seen.set(Http.user(ex)))
                .handleRequest(exchange(null));
        assertThat(seen).hasValue(Http.ANONYMOUS);
        new AuthenticationHandler(auth, Optional.empty(), ex -> seen.set(Http.user(ex)))
                .handleRequest(exchange(null));
        assertThat(seen).hasValue(Http.ANONYMOUS);
    }
}
