package org.monailabel.engine.datastore;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.monailabel.api.error.InvalidInputException;

/**
 * Validates image ids and label tags before they become file names. Refused: empty, {@code /},
 * {@code \}, {@code ..}, NUL or other control characters, a leading {@code .} (hidden files belong
 * to the datastore) and more than 255 bytes in UTF-8 (the usual file-name limit).
 */
public final class Ids {
    /** Longest file name (in UTF-8 bytes) that common file systems accept. */
    static final int MAX_NAME_BYTES = 255;

    private Ids() {}

    public static String checkImageId(String id) {
        return check("Image id", id);
    }

    public static String checkTag(String tag) {
        return check("Label tag", tag);
    }

    /** Refuses a stored file name {@code <id><ext>} that is too long for the file system. */
    static String checkFileName(String fileName) {
        if (fileName.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidInputException(
                    "File name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        return fileName;
    }

    /**
     * Whether {@code value} is acceptable as an id or tag (used for ids read from existing files).
     */
    static boolean isValid(String value) {
        return problem(value).isEmpty();
    }

    private static String check(String what, String value) {
        problem(value)
                .ifPresent(
                        problem -> {
                            throw new InvalidInputException(what + " " + problem);
                        });
        return value;
    }

    private static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.contains("..")) {
            return Optional.of("must not contain '/', '\\' or '..'");
        }
        if (value.startsWith(".")) {
            return Optional.of("must not start with '.'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("must not contain control characters");
            }
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return Optional.of("must not be longer than " + MAX_NAME_BYTES + " bytes");
        }
        return Optional.empty();
    }
}
