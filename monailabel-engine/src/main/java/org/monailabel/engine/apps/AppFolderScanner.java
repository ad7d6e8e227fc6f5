package org.monailabel.engine.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Lists the apps of an apps folder: each {@code *.jar} directly in it is one app named after the
 * jar (without {@code .jar}); each sub-folder holding jars is one app named after the folder, made
 * of all the jars directly in it. Hidden files (starting with {@code .}) are ignored, so a copy in
 * progress under a hidden name is not picked up.
 */
public final class AppFolderScanner {
    private AppFolderScanner() {}

    /** The apps of {@code folder} by name, sorted. */
    public static SortedMap<String, AppSource> scan(Path folder) throws IOException {
        SortedMap<String, AppSource> apps = new TreeMap<>();
        for (Path entry : list(folder)) {
            String fileName = entry.getFileName().toString();
            if (Files.isDirectory(entry)) {
                List<Path> jars = jarsIn(entry);
                if (!jars.isEmpty()) {
                    apps.put(fileName, source(fileName, fileName + "/", entry, jars));
                }
            } else if (isJar(entry)) {
                String name = fileName.substring(0, fileName.length() - ".jar".length());
                apps.putIfAbsent(name, source(name, fileName, folder, List.of(entry)));
            }
        }
        return apps;
    }

    private static AppSource source(String name, String sourceName, Path appDir, List<Path> jars)
            throws IOException {
        StringBuilder fingerprint = new StringBuilder();
        for (Path jar : jars) {
            BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
            fingerprint
                    .append(jar.getFileName())
                    .append(':')
                    .append(attributes.size())
                    .append(':')
                    .append(attributes.lastModifiedTime().toMillis())
                    .append(';');
        }
        return new AppSource(
                name,
                sourceName,
                appDir,
                jars,
                Optional.empty(),
                fingerprint.toString(),
                List.of());
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (Path p : list(dir)) {
            if (isJar(p)) {
                jars.add(p);
            }
        }
        return jars;
    }

    private static boolean isJar(Path p) {
        String n = p.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".jar")
                && n.length() > 4
                && Files.isRegularFile(p);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
    }
}
