package org.monailabel.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.engine.io.nifti.NiftiWriter;
import org.monailabel.engine.io.nrrd.NrrdReader;
import org.monailabel.engine.io.nrrd.NrrdWriter;

/**
 * Reads and writes images choosing the codec by file name: {@code .nii}, {@code .nii.gz} (NIfTI),
 * {@code .nrrd}, {@code .seg.nrrd} (Slicer segmentation) and {@code .nhdr} (NRRD). Stateless and
 * thread-safe.
 *
 * <pre>{@code
 * Volume ct = ImageIo.read(Path.of("spleen_12.nii.gz"));
 * ImageIo.write(label, Path.of("spleen_12.seg.nrrd"), WriteOptions.defaults());
 * }</pre>
 */
public final class ImageIo {
    /** The formats the facade knows. */
    public enum Format {
        NIFTI,
        NRRD
    }

    private ImageIo() {}

    /** The format of a file name, if known. */
    public static Optional<Format> formatOf(Path path) {
        String name =
                path.getFileName() == null
                        ? ""
                        : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".nii") || name.endsWith(".nii.gz")) {
            return Optional.of(Format.NIFTI);
        }
        if (name.endsWith(".nrrd") || name.endsWith(".nhdr")) {
            return Optional.of(Format.NRRD);
        }
        return Optional.empty();
    }

    /** Reads an image with the default limits. */
    public static Volume read(Path path) throws IOException {
        return read(path, ReadOptions.defaults());
    }

    /**
     * Reads an image.
     *
     * @throws InvalidImageException if the file is not a valid image or its name has no known
     *     extension
     * @throws IOException if the file cannot be read
     */
    public static Volume read(Path path, ReadOptions options) throws IOException {
        return switch (format(path)) {
            case NIFTI -> new NiftiReader(options).read(path);
            case NRRD -> new NrrdReader(options).read(path);
        };
    }

    /**
     * Writes an image; {@code .seg.nrrd} writes a Slicer segmentation of a 3-D integer label map,
     * names ending in {@code .gz} are gzip-compressed. The file appears atomically: data goes to a
     * temporary file in the same folder, which is then moved into place (and deleted on failure).
     *
     * @throws InvalidImageException if the file name has no known extension (or is {@code .nhdr},
     *     which is read-only)
     */
    public static void write(Volume volume, Path path, WriteOptions options) throws IOException {
        String name =
                path.getFileName() == null
                        ? ""
                        : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".nhdr")) {
            throw new InvalidImageException(
                    "Writing detached NRRD (.nhdr) is not supported; use .nrrd");
        }
        Format format = format(path);
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                switch (format) {
                    case NIFTI -> new NiftiWriter(options).write(volume, out, name.endsWith(".gz"));
                    case NRRD -> {
                        NrrdWriter writer = new NrrdWriter(options);
                        if (name.endsWith(".seg.nrrd")) {
                            writer.writeSegmentation(volume, out);
                        } else {
                            writer.write(volume, out, Map.of());
                        }
                    }
                    default -> throw new AssertionError(format);
                }
            }
            Files.move(
                    tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Format format(Path path) throws InvalidImageException {
        return formatOf(path)
                .orElseThrow(
                        () ->
                                new InvalidImageException(
                                        "Unknown image file extension: '"
                                                + path.getFileName()
                                                + "' (expected .nii, .nii.gz, .nrrd, .seg.nrrd or"
                                                + " .nhdr)"));
    }
}
