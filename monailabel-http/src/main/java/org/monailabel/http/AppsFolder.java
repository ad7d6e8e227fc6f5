package org.monailabel.http;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.monailabel.api.error.InvalidInputException;

/**
 * Turns the {@code --app} paths into the one apps folder the engine watches. A single folder is
 * used as the apps folder itself (each {@code *.jar} in it, and each sub-folder of jars, is one
 * app). Otherwise every path becomes one app through a symbolic link in {@code <workDir>/apps}: a
 * jar is an app named after the jar, a folder of jars an app named after the folder. Links follow
 * the originals, so a rebuilt jar is hot-swapped.
 */
final class AppsFolder {
    private AppsFolder() {}

    /** Refuses paths that are not there, or neither a jar nor a folder. */
    static void check(List<Path> apps) {
        for (Path app : apps) {
            if (!Files.exists(app)) {
                throw new InvalidInputException("App '" + app + "' does not exist");
            }
            if (!Files.isDirectory(app)
                    && !app.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")) {
                throw new InvalidInputException("App '" + app + "' is neither a jar nor a folder");
            }
        }
    }

    /** The apps folder to load, or empty when no app was given. */
    static Optional<Path> resolve(List<Path> apps, Path workDir) throws IOException {
        if (apps.isEmpty()) {
            return Optional.empty();
        }
        check(apps);
        if (apps.size() == 1 && Files.isDirectory(apps.get(0))) {
            return Optional.of(apps.get(0).toAbsolutePath().normalize());
        }
        Path folder = workDir.resolve("apps");
        if (Files.exists(folder)) {
            try (Stream<Path> old = Files.walk(folder)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(folder);
        for (Path app : apps) {
            Path target = app.toAbsolutePath().normalize();
            Path link = folder.resolve(target.getFileName().toString());
            try {
                Files.createSymbolicLink(link, target);
            } catch (FileAlreadyExistsException e) {
                throw new InvalidInputException(
                        "Two apps are named '" + target.getFileName() + "'");
            } catch (UnsupportedOperationException | IOException e) {
                if (Files.isDirectory(target)) {
                    throw new IOException(
                            "Cannot link app folder " + target + " into " + folder + ": " + e, e);
                }
                Files.copy(
                        target,
                        link); // no symbolic links on this file system: a copy (no hot swap)
            }
        }
        return Optional.of(folder);
    }
}
