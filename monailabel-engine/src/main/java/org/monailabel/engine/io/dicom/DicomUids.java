package org.monailabel.engine.io.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * DICOM unique identifiers (PS3.5 section 9): new ones derived from a random UUID under the {@code
 * 2.25} root (PS3.5 B.2: {@code 2.25.} followed by the UUID's 128 bits as an unsigned decimal
 * integer, at most 44 characters), and the syntax check of section 9.1. Thread-safe.
 */
public final class DicomUids {
    /** The longest UID PS3.5 9.1 allows. */
    public static final int MAX_LENGTH = 64;

    private DicomUids() {}

    /** A new UID from a random (version 4) UUID. */
    public static String create() {
        return fromUuid(UUID.randomUUID());
    }

    /** The {@code 2.25} UID of a UUID (PS3.5 B.2). */
    public static String fromUuid(UUID uuid) {
        Objects.requireNonNull(uuid, "uuid");
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }

    /**
     * Whether a string is a UID by PS3.5 9.1: at most 64 characters, components of digits separated
     * by single dots, no component empty or with a leading zero (other than {@code 0} itself), and
     * at least two components.
     */
    public static boolean isValid(String uid) {
        if (uid == null || uid.isEmpty() || uid.length() > MAX_LENGTH) {
            return false;
        }
        int components = 0;
        int start = 0;
        while (true) {
            int end = uid.indexOf('.', start);
            if (end < 0) {
                end = uid.length();
            }
            if (end == start || uid.charAt(start) == '0' && end - start > 1) {
                return false;
            }
            for (int i = start; i < end; i++) {
                char c = uid.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            components++;
            if (end == uid.length()) {
                return components >= 2;
            }
            start = end + 1;
        }
    }

    /**
     * The UID itself if {@link #isValid}.
     *
     * @throws IllegalArgumentException naming {@code what} and the bad value otherwise
     */
    public static String requireValid(String uid, String what) {
        if (!isValid(uid)) {
            throw new IllegalArgumentException(
                    what
                            + " '"
                            + (uid == null ? "null" : DicomDataset.printable(uid))
                            + "' is not a valid DICOM UID (digits in dot-separated components"
                            + " without leading zeros, at most 64 characters)");
        }
        return uid;
    }
}
