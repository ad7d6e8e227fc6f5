package org.monailabel.http;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.auth.Identity;
import org.monailabel.engine.auth.Role;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code monailabel users add|list|remove|passwd --users FILE}: the local users a server started
 * with {@code --users FILE} signs in. Passwords are read from the terminal without echo (twice), or
 * as one line from standard input; the file keeps only salted slow hashes. A running server reads
 * the file again when it changes.
 */
@Command(
        name = "users",
        mixinStandardHelpOptions = true,
        description = "Manage the local users of a users file (start_server --users FILE).",
        subcommands = {
            Users.Add.class,
            Users.ListUsers.class,
            Users.Remove.class,
            Users.Passwd.class
        })
final class Users implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** The options every subcommand has. */
    static class FileOption {
        @Option(
                names = "--users",
                required = true,
                paramLabel = "FILE",
                description = "The users file")
        Path file;
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description =
                    "Add a user; the password is read from standard input (one line) or asked"
                            + " for. Creates the file if needed.")
    static final class Add extends FileOption implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "User name")
        String name;

        @Option(
                names = "--role",
                required = true,
                description = "user, annotator, reviewer or admin")
        String role;

        @Option(names = "--email", description = "E-mail address (shown by /auth/token/valid)")
        String email = "";

        @Option(names = "--full-name", description = "Full name (shown by /auth/token/valid)")
        String fullName = "";

        @Override
        public Integer call() throws IOException {
            Authentication.checkNewUser(file, name, role); // before asking for the password
            char[] password = readPassword(name);
            try {
                Authentication.addUser(file, name, role, password, email, fullName);
            } finally {
                Arrays.fill(password, '\0');
            }
            System.out.println("Added " + name + " (" + role + ") to " + file);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users.")
    static final class ListUsers extends FileOption implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            List<Identity> users = Authentication.users(file);
            if (users.isEmpty()) {
                System.out.println("(no users)");
            }
            for (Identity u : users) {
                System.out.println(
                        u.username()
                                + "  "
                                + u.role().map(Role::plainName).orElse("")
                                + (u.email().isEmpty() ? "" : "  " + u.email())
                                + (u.name().isEmpty() ? "" : "  " + u.name()));
            }
            return 0;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a user (its tokens stop being valid at once).")
    static final class Remove extends FileOption implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "User name")
        String name;

        @Override
        public Integer call() throws IOException {
            Authentication.removeUser(file, name);
            System.out.println("Removed " + name + " from " + file);
            return 0;
        }
    }

    @Command(
            name = "passwd",
            mixinStandardHelpOptions = true,
            description =
                    "Set a user's password, read from standard input (one line) or asked for; its"
                            + " tokens stop being valid at once.")
    static final class Passwd extends FileOption implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "User name")
        String name;

        @Override
        public Integer call() throws IOException {
            if (Authentication.users(file).stream().noneMatch(u -> u.username().equals(name))) {
                throw new NotFoundException("no user '" + name + "' in " + file);
            }
            char[] password = readPassword(name);
            try {
                Authentication.setPassword(file, name, password);
            } finally {
                Arrays.fill(password, '\0');
            }
            System.out.println("Changed the password of " + name + " in " + file);
            return 0;
        }
    }

    /**
     * The password: asked twice without echo on a terminal, else the first line of standard input.
     */
    static char[] readPassword(String name) throws IOException {
        Console console = System.console();
        if (console != null) { // a terminal on both ends: asked without echo
            char[] first = console.readPassword("Password for %s: ", name);
            char[] second = console.readPassword("Again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) {
                throw new IllegalArgumentException("the passwords differ");
            }
            Arrays.fill(second, '\0');
            return first;
        }
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException(
                    "no password: give it as one line on standard input");
        }
        return line.toCharArray();
    }
}
