package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.ForbiddenException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.auth.Identity;
import org.monailabel.engine.auth.Role;

/** The facade's choice of authentication from the settings, and its header and role checks. */
class AuthenticationTest {
    @TempDir Path dir;

    @Test
    void offUnlessUsersOrAnIssuerAreGiven() throws Exception {
        Authentication off = Authentication.open(Optional.empty(), Map.of("models", "x"), dir);
        assertThat(off.enabled()).isFalse();
        assertThat(off.status()).containsEntry("enabled", false);
        assertThatThrownBy(() -> off.signIn("a", "b", "h")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void contradictoryUnknownOrMalformedSettingsAreRefusedWithOneLine() throws Exception {
        Path users = dir.resolve("users.json");
        Authentication.addUser(users, "alice", "annotator", "password1".toCharArray(), "", "");
        Map<Map<String, String>, String> bad =
                Map.of(
                        Map.of("auth_jwk", "x"), "unknown setting auth_jwk",
                        Map.of("auth_issuer", "http://idp"), "needs --conf auth_jwks",
                        Map.of("auth_secret", "x".repeat(40)), "without authentication",
                        Map.of(
                                        "auth_issuer",
                                        "http://idp",
                                        "auth_jwks",
                                        "j",
                                        "auth_token_expiry_seconds",
                                        "60"),
                                "local users");
        for (Map.Entry<Map<String, String>, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> Authentication.open(Optional.empty(), e.getKey(), dir))
                    .as(e.getKey().toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(e.getValue());
        }
        assertThatThrownBy(
                        () ->
                                Authentication.open(
                                        Optional.of(users),
                                        Map.of("auth_issuer", "http://idp"),
                                        dir))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(
                        () ->
                                Authentication.open(
                                        Optional.of(users),
                                        Map.of("auth_token_expiry_seconds", "soon"),
                                        dir))
                .hasMessageContaining("number of seconds");
        assertThatThrownBy(
                        () ->
                                Authentication.open(
                                        Optional.of(users), Map.of("auth_audience", "x"), dir))
                .hasMessageContaining("needs --conf auth_issuer");
        assertThatThrownBy(
                        () ->
                                Authentication.open(
                                        Optional.of(dir.resolve("none.json")), Map.of(), dir))
                .isInstanceOf(NoSuchFileException.class);
        Files.writeString(dir.resolve("bad.json"), "[]");
        assertThatThrownBy(
                        () ->
                                Authentication.open(
                                        Optional.of(dir.resolve("bad.json")), Map.of(), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a users file");
        assertThatThrownBy(
                        () ->
                                Authentication.addUser(
                                        users, "bob", "boss", "password1".toCharArray(), "", ""))
                .hasMessage("unknown role 'boss' (known: user, annotator, reviewer, admin)");
    }

    @Test
    void theBearerSchemeIsReadInAnyCaseAndRolesAreCheckedAsMonaiLabelNamesThem() throws Exception {
        Path users = dir.resolve("users.json");
        Authentication.addUser(
                users, "alice", "monailabel-annotator", "password1".toCharArray(), "", "");
        Authentication auth = Authentication.open(Optional.of(users), Map.of(), dir);
        assertThat(auth.enabled()).isTrue();
        assertThat(auth.summary()).contains("local users from").contains("(1 user)");
        String token = (String) auth.signIn("alice", "password1", "h").get("access_token");
        for (String header :
                new String[] {"Bearer " + token, "bearer " + token, "BEARER   " + token + " "}) {
            assertThat(auth.authenticate(Optional.of(header)).username()).isEqualTo("alice");
        }
        assertThatThrownBy(() -> auth.authenticate(Optional.empty()))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessage("Not authenticated");
        assertThatThrownBy(() -> auth.authenticate(Optional.of("Basic YWxpY2U6cGFzc3dvcmQx")))
                .isInstanceOf(UnauthorizedException.class);
        Identity alice = auth.authenticate(Optional.of("Bearer " + token));
        Authentication.authorize(alice, Role.ANNOTATOR);
        assertThatThrownBy(() -> Authentication.authorize(alice, Role.ADMIN))
                .isInstanceOf(ForbiddenException.class)
                .hasMessage("Role \"monailabel-admin\" is required to perform this action");
        assertThat(Authentication.users(users))
                .extracting(Identity::username)
                .containsExactly("alice");
        assertThat(Authentication.withoutAuthSettings(Map.of("auth_secret", "s", "models", "m")))
                .containsOnlyKeys("models");
    }
}
