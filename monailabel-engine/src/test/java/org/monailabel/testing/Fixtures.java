package org.monailabel.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared oracle fixtures are: {@code ../shared/fixtures} next to the repository root
 * (CI lays a copy of {@code shared/} beside the clone).
 */
public final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder, found by walking up from the working directory to the repository root. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("mvnw"))) {
                Path fixtures = dir.resolveSibling("shared").resolve("fixtures");
                if (Files.isDirectory(fixtures)) {
                    return fixtures;
                }
                throw new IllegalStateException("No shared fixtures beside the repository at " + fixtures);
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("Not inside the repository: " + Path.of("").toAbsolutePath());
    }

    public static Path nifti(String name) {
        return root().resolve("nifti").resolve(name);
    }

    public static Path torchscript(String name) {
        return root().resolve("torchscript").resolve(name);
    }
}
