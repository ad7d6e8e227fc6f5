package org.monailabel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The oracle fixtures: TorchScript models with their PyTorch outputs and a NIfTI volume with
 * nibabel's facts and MONAI's transform outputs, made once with the reference Python stack. They
 * are test resources of this module ({@code src/test/resources/fixtures}, whose README says how
 * each file was made), so the tests need nothing outside the repository.
 */
public final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder on the test class path. */
    public static Path root() {
        URL readme = Fixtures.class.getResource("/fixtures/README.md");
        if (readme == null || !readme.getProtocol().equals("file")) {
            throw new IllegalStateException(
                    "The fixtures (src/test/resources/fixtures of monailabel-engine) "
                            + "are not on the test class path as files: "
                            + readme);
        }
        try {
            return Path.of(readme.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path nifti(String name) {
        return root().resolve("nifti").resolve(name);
    }

    public static Path torchscript(String name) {
        return root().resolve("torchscript").resolve(name);
    }

    /**
     * Copies a fixture ({@code torchscript/tiny_conv3d.pt}) to {@code target}, also when the
     * fixtures are inside this module's test jar (as other modules' tests see them).
     */
    public static Path copy(String relative, Path target) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + relative)) {
            if (in == null) {
                throw new NoSuchFileException("fixtures/" + relative);
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
