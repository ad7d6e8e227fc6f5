package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP layer only translates: from the engine it uses the application layer (the package {@code
 * org.monailabel.engine}: {@code MonaiLabel} and its request and reply types) and the few types
 * those replies are made of, never the engine's internals (the app registry, job runners, model
 * folders, the datastore implementation, codecs). The sources are read as text, so an inline
 * fully-qualified name counts as much as an import.
 */
class LayeringTest {
    /**
     * Engine types outside the application package that the facade's replies are made of, with why.
     */
    static final Map<String, String> REPLY_TYPES =
            Map.of(
                    "org.monailabel.engine.apps.AppsInfo", "what MonaiLabel.info() returns",
                    "org.monailabel.engine.apps.AppStatus", "an app's status in AppsInfo",
                    "org.monailabel.engine.jobs.Job", "what train, score and batchInfer return",
                    "org.monailabel.engine.session.Session",
                            "what createSession and session return",
                    "org.monailabel.engine.io.InvalidImageException",
                            "the error an unreadable image is reported with",
                    "org.monailabel.engine.json.JsonTrees",
                            "the JSON codec replies are written with, as the datastore's",
                    "org.monailabel.engine.auth.Identity",
                            "who Authentication.authenticate says a token belongs to",
                    "org.monailabel.engine.auth.Role",
                            "the role a route requires, checked by Authentication.authorize",
                    "org.monailabel.engine.datastore.LabelVersion",
                            "what the label use cases (MonaiLabel.labels()) return");

    private static final Pattern ENGINE_NAME =
            Pattern.compile("\\borg\\.monailabel\\.engine(\\.[A-Za-z_][A-Za-z0-9_]*)+");

    /** Every use of an engine name outside the allowed set, as {@code file: name}. */
    static List<String> violations(Path sources) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Matcher m = ENGINE_NAME.matcher(text);
                while (m.find()) {
                    if (!allowed(m.group())) {
                        found.add(sources.relativize(file) + ": " + m.group());
                    }
                }
            }
        }
        return found;
    }

    /** A name in the application package, or one of the reply types (a member of it included). */
    static boolean allowed(String name) {
        String[] parts = name.split("\\.");
        // org.monailabel.engine.X...: X is a class of the application package when it starts
        // upper-case
        if (parts.length >= 4 && Character.isUpperCase(parts[3].charAt(0))) {
            return true;
        }
        return REPLY_TYPES.keySet().stream()
                .anyMatch(t -> name.equals(t) || name.startsWith(t + "."));
    }

    @Test
    void theHttpLayerUsesOnlyTheApplicationLayerOfTheEngine() throws IOException {
        assertThat(violations(Path.of("src/main/java"))).isEmpty();
    }

    @Test
    void theCheckFindsAnEngineInternalByImportAndByInlineName(@TempDir Path tmp)
            throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("org/monailabel/http"));
        Files.writeString(
                pkg.resolve("Bad.java"),
                """
                package org.monailabel.http;
                import org.monailabel.engine.MonaiLabel;
                import org.monailabel.engine.apps.AppRegistry;
                import org.monailabel.engine.jobs.Job;
                final class Bad {
                    Object runner = new org.monailabel.engine.jobs.JobRunner("train", 1);
                    Object wildcard = org.monailabel.engine.model.ModelVersions.class;
                }
                """);

        assertThat(violations(tmp))
                .containsExactly(
                        "org/monailabel/http/Bad.java: org.monailabel.engine.apps.AppRegistry",
                        "org/monailabel/http/Bad.java: org.monailabel.engine.jobs.JobRunner",
                        "org/monailabel/http/Bad.java:"
                                + " org.monailabel.engine.model.ModelVersions.class");
    }
}
