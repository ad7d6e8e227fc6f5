package org.monailabel.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** File checksums as the wire shows them (lower-case hex), for weights and datastore files. */
public final class Checksums {
    private Checksums() {}

    /**
     * The digest of a file's bytes in lower-case hex.
     *
     * @param algorithm a JDK {@link MessageDigest} algorithm, e.g. {@code SHA-256} or {@code MD5}
     */
    public static String hex(Path file, String algorithm) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("No digest algorithm " + algorithm, e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
