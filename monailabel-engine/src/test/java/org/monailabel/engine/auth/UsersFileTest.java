package org.monailabel.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;

class UsersFileTest {
    @TempDir Path dir;

    @Test
    void addListChangeAndRemoveUsersInAnOwnerOnlyFileWithoutPlainPasswords() throws Exception {
        Path file = dir.resolve("conf/users.json");
        UsersFile.add(file, "alice", Role.ANNOTATOR, "alice-secret".toCharArray(), "a@x.org", "A");
        UsersFile.add(file, "bob", Role.ADMIN, "bob-secret-1".toCharArray(), "", "");
        Map<String, UsersFile.User> users = UsersFile.read(file);
        assertThat(users.keySet()).containsExactly("alice", "bob");
        assertThat(users.get("alice").role()).isEqualTo(Role.ANNOTATOR);
        assertThat(users.get("alice").email()).isEqualTo("a@x.org");
        String text = Files.readString(file);
        assertThat(text)
                .doesNotContain("alice-secret")
                .doesNotContain("bob-secret-1")
                .contains("pbkdf2-sha256$600000$");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String before = users.get("alice").passwordHash();

        UsersFile.setPassword(file, "alice", "new-alice-secret".toCharArray());
        UsersFile.User alice = UsersFile.read(file).get("alice");
        assertThat(alice.passwordHash()).isNotEqualTo(before);
        assertThat(PasswordHash.verify("new-alice-secret".toCharArray(), alice.passwordHash()))
                .isTrue();
        assertThat(alice.role()).isEqualTo(Role.ANNOTATOR);

        UsersFile.remove(file, "bob");
        assertThat(UsersFile.read(file).keySet()).containsExactly("alice");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file is left behind")
                    .containsExactlyInAnyOrder("users.json", ".users.json.lock");
        }
    }

    @Test
    void badRequestsAreRefusedWithOneLineMessages() throws Exception {
        Path file = dir.resolve("users.json");
        UsersFile.add(file, "alice", Role.USER, "password1".toCharArray(), "", "");
        assertThatThrownBy(
                        () ->
                                UsersFile.add(
                                        file,
                                        "alice",
                                        Role.ADMIN,
                                        "password2".toCharArray(),
                                        "",
                                        ""))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("user 'alice' exists already");
        assertThatThrownBy(() -> UsersFile.remove(file, "nobody"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no user 'nobody'");
        assertThatThrownBy(() -> UsersFile.setPassword(file, "nobody", "password3".toCharArray()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(
                        () ->
                                UsersFile.add(
                                        file, "carol", Role.USER, "short".toCharArray(), "", ""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("too short");
        for (String name : new String[] {"", "a b", "../x", "-x", "x".repeat(65), "ä"}) {
            assertThatThrownBy(
                            () ->
                                    UsersFile.add(
                                            file,
                                            name,
                                            Role.USER,
                                            "password1".toCharArray(),
                                            "",
                                            ""))
                    .as(name)
                    .isInstanceOf(InvalidInputException.class);
        }
        assertThatThrownBy(() -> UsersFile.remove(dir.resolve("missing.json"), "alice"))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> UsersFile.read(dir.resolve("missing.json")))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(Files.exists(dir.resolve("missing.json"))).isFalse();
    }

    @Test
    void filesThatAreNotUsersFilesAreRefusedWithWhy() throws Exception {
        String hash = PasswordHash.hash("password1".toCharArray(), 210_000);
        Map<String, String> bad =
                Map.of(
                        "[]",
                        "expected",
                        "{\"format\": 2, \"users\": []}",
                        "unknown format",
                        "{\"format\": 1, \"users\": [{\"name\": \"a\", \"role\": \"boss\","
                                + " \"password\": \""
                                + hash
                                + "\"}]}",
                        "unknown role 'boss'",
                        "{\"format\": 1, \"users\": [{\"name\": \"a\", \"role\": \"user\","
                                + " \"password\": \"plain\"}]}",
                        "password",
                        "{\"format\": 1, \"users\": [{\"name\": \"a\", \"role\": \"user\","
                                + " \"password\": \""
                                + hash
                                + "\"}, {\"name\": \"a\", \"role\":"
                                + " \"user\", \"password\": \""
                                + hash
                                + "\"}]}",
                        "twice",
                        "{\"format\": 1",
                        "invalid JSON");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path file = Files.writeString(dir.resolve("bad.json"), e.getKey());
            assertThatThrownBy(() -> UsersFile.read(file))
                    .as(e.getKey())
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is not a users file")
                    .hasMessageContaining(e.getValue());
        }
    }
}
