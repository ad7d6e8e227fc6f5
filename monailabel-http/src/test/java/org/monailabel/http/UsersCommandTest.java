package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.Authentication;

/**
 * {@code monailabel users add|list|remove|passwd} (passwords as a line on standard input), its
 * one-line errors and exit codes, and what the start line says about authentication.
 */
class UsersCommandTest {
    @TempDir Path dir;

    /** Runs the command with {@code stdin}; returns "exit:" followed by what it printed. */
    static String run(String stdin, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = Main.run(args);
            return code + ":" + captured.toString(StandardCharsets.UTF_8).trim();
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
        }
    }

    @Test
    void addListChangeAndRemoveUsers() throws Exception {
        Path users = dir.resolve("users.json");
        String file = users.toString();
        assertThat(
                        run(
                                "alice-password\n",
                                "users",
                                "add",
                                "--users",
                                file,
                                "--name",
                                "alice",
                                "--role",
                                "annotator",
                                "--email",
                                "alice@example.org"))
                .isEqualTo("0:Added alice (annotator) to " + file);
        assertThat(
                        run(
                                "bob-password\n",
                                "users",
                                "add",
                                "--users",
                                file,
                                "--name",
                                "bob",
                                "--role",
                                "monailabel-admin"))
                .startsWith("0:");
        assertThat(Files.readString(users)).doesNotContain("alice-password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
                .isEqualTo("rw-------");
        assertThat(run("", "users", "list", "--users", file))
                .isEqualTo("0:alice  annotator  alice@example.org\nbob  admin");

        assertThat(
                        run(
                                "alice-new-password\n",
                                "users",
                                "passwd",
                                "--users",
                                file,
                                "--name",
                                "alice"))
                .isEqualTo("0:Changed the password of alice in " + file);
        Authentication auth = Authentication.open(Optional.of(users), Map.of(), dir);
        assertThat(auth.signIn("alice", "alice-new-password", "h")).containsKey("access_token");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> auth.signIn("alice", "alice-password", "h"))
                .isInstanceOf(UnauthorizedException.class);

        assertThat(run("", "users", "remove", "--users", file, "--name", "bob"))
                .isEqualTo("0:Removed bob from " + file);
        assertThat(run("", "users", "list", "--users", file))
                .isEqualTo("0:alice  annotator  alice@example.org");
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() throws Exception {
        Path users = dir.resolve("users.json");
        String file = users.toString();
        run(
                "alice-password\n",
                "users",
                "add",
                "--users",
                file,
                "--name",
                "alice",
                "--role",
                "user");
        Map<String, List<String>> cases =
                Map.of(
                        "existing user",
                        List.of(
                                "x-password\n",
                                "add",
                                "--name",
                                "alice",
                                "--role",
                                "user",
                                "1:monailabel: error: user 'alice' exists already in " + file),
                        "unknown role",
                        List.of(
                                "x-password\n",
                                "add",
                                "--name",
                                "carol",
                                "--role",
                                "boss",
                                "1:monailabel: error: unknown role 'boss' (known: user,"
                                        + " annotator, reviewer, admin)"),
                        "short password",
                        List.of(
                                "short\n",
                                "add",
                                "--name",
                                "carol",
                                "--role",
                                "user",
                                "1:monailabel: error: the password is too short (at least 8"
                                        + " characters)"),
                        "no password",
                        List.of(
                                "",
                                "add",
                                "--name",
                                "carol",
                                "--role",
                                "user",
                                "1:monailabel: error: no password: give it as one line on"
                                        + " standard input"),
                        "bad name",
                        List.of(
                                "x-password\n",
                                "add",
                                "--name",
                                "../carol",
                                "--role",
                                "user",
                                "1:monailabel: error: bad user name '../carol'"),
                        "unknown user",
                        List.of(
                                "",
                                "remove",
                                "--name",
                                "nobody",
                                "1:monailabel: error: no user 'nobody' in " + file),
                        "unknown user's password",
                        List.of(
                                "x-password\n",
                                "passwd",
                                "--name",
                                "nobody",
                                "1:monailabel: error: no user 'nobody' in " + file));
        for (Map.Entry<String, List<String>> e : cases.entrySet()) {
            List<String> c = e.getValue();
            String[] args = new String[c.size() + 1];
            args[0] = "users";
            args[1] = c.get(1);
            args[2] = "--users";
            args[3] = file;
            for (int i = 2; i < c.size() - 1; i++) {
                args[i + 2] = c.get(i);
            }
            String printed = run(c.get(0), args);
            assertThat(printed).as(e.getKey()).startsWith(c.get(c.size() - 1));
            assertThat(printed.lines()).as(e.getKey()).hasSize(1);
        }
        assertThat(run("", "users", "list", "--users", dir.resolve("none.json").toString()))
                .isEqualTo(
                        "1:monailabel: error: no such file or folder: " + dir.resolve("none.json"));
        assertThat(run("", "users", "list")).startsWith("2:monailabel: Missing required option");
        assertThat(
                        run(
                                "",
                                "start_server",
                                "--users",
                                dir.resolve("none.json").toString(),
                                "--port",
                                "0"))
                .startsWith(
                        "1:monailabel: error: --users "
                                + dir.resolve("none.json")
                                + ": no such file");
        assertThat(run("", "users", "list", "--users", file)).isEqualTo("0:alice  user");
    }

    @Test
    void theStartLineSaysPlainlyWhenAnyoneOnTheNetworkMayChangeTheStudies() throws Exception {
        String open = Main.StartServer.authLine(Authentication.off(), "0.0.0.0", 8000);
        assertThat(open)
                .startsWith("OFF: anyone who can reach port 8000 can read and change the studies")
                .contains("--users FILE")
                .contains("monailabel users add")
                .contains("auth_issuer");
        assertThat(Main.StartServer.authLine(Authentication.off(), "192.168.1.5", 8000))
                .startsWith("OFF: anyone");
        for (String loopback : List.of("127.0.0.1", "localhost", "::1")) {
            assertThat(Main.StartServer.authLine(Authentication.off(), loopback, 8000))
                    .as(loopback)
                    .startsWith("off (only this machine can connect");
        }
        Path users = dir.resolve("users.json");
        Authentication.addUser(users, "alice", "admin", "alice-password".toCharArray(), "", "");
        assertThat(
                        Main.StartServer.authLine(
                                Authentication.open(Optional.of(users), Map.of(), dir),
                                "0.0.0.0",
                                8000))
                .startsWith("on: local users from " + users.toAbsolutePath() + " (1 user)");
    }
}
