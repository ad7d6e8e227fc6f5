package org.monailabel.engine.datastore;

import java.util.List;
import java.util.Optional;

/**
 * File extensions as MONAI Label determines them (docs/rest-api.md §4.9), shared by the datastore
 * and the HTTP layer.
 *
 * <p>A name's extension is the last entry of {@link #RECOGNISED} that the name ends with ({@code
 * x.nii.gz} → {@code .nii.gz}, {@code x.seg.nrrd} → {@code .nrrd}); otherwise its last dot-suffix
 * of at most 10 characters is kept as is ({@code x.dcm} → {@code .dcm}, {@code x.bin} → {@code
 * .bin}), and a name without one has the extension {@code ""}. Client names may be full paths with
 * {@code /} or {@code \} separators: only the last component counts. Matching is case-sensitive,
 * like upstream. Stateless and thread-safe.
 */
public final class FileExtensions {
    /** The recognised extensions, in upstream order (the last match wins). */
    public static final List<String> RECOGNISED =
            List.of(".nii.gz", ".nii", ".nrrd", ".jpg", ".png", ".tif", ".svs", ".xml");

    /** Upstream ignores dot-suffixes longer than this (dot included). */
    private static final int MAX_SUFFIX_LENGTH = 10;

    private FileExtensions() {}

    /** The last component of a client path ({@code C:\data\x.nii.gz} → {@code x.nii.gz}). */
    public static String baseName(String sourceName) {
        int cut = Math.max(sourceName.lastIndexOf('/'), sourceName.lastIndexOf('\\'));
        return sourceName.substring(cut + 1);
    }

    /** The extension to store a file under, for a client's file name or path; may be {@code ""}. */
    public static String extensionOf(String sourceName) {
        String name = baseName(sourceName);
        Optional<String> recognised = recognisedExtension(name);
        if (recognised.isPresent()) {
            return recognised.get();
        }
        int dot = name.lastIndexOf('.');
        if (dot <= 0
                || !hasStem(name, dot)
                || name.length() - dot > MAX_SUFFIX_LENGTH
                || dot == name.length() - 1) {
            return "";
        }
        return name.substring(dot);
    }

    /**
     * The recognised extension {@code name} ends with, if any (the last match in the list wins).
     */
    public static Optional<String> recognisedExtension(String name) {
        for (int i = RECOGNISED.size() - 1; i >= 0; i--) {
            String ext = RECOGNISED.get(i);
            if (name.endsWith(ext) && hasStem(name, name.length() - ext.length())) {
                return Optional.of(ext);
            }
        }
        return Optional.empty();
    }

    /**
     * The image id of a file found in the studies folder: its name minus the recognised extension.
     * Empty for hidden files and names without a recognised extension.
     */
    public static Optional<String> idOf(String fileName) {
        if (fileName.startsWith(".")) {
            return Optional.empty();
        }
        return recognisedExtension(fileName)
                .map(ext -> fileName.substring(0, fileName.length() - ext.length()));
    }

    /**
     * Whether some non-dot character precedes {@code end} (a name such as {@code .nii} has no
     * stem).
     */
    private static boolean hasStem(String name, int end) {
        for (int i = 0; i < end; i++) {
            if (name.charAt(i) != '.') {
                return true;
            }
        }
        return false;
    }
}
