package org.monailabel.engine.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted slow password hashes: PBKDF2 with HMAC-SHA256, a random 16-byte salt per hash, a 32-byte
 * result, written as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (standard Base64 without
 * padding). The iteration count is kept in each hash, so that raising {@link #DEFAULT_ITERATIONS}
 * leaves existing hashes valid. Stateless and thread-safe.
 */
public final class PasswordHash {
    /** Iterations for new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;

    /** The fewest iterations a new hash may use. */
    public static final int MIN_ITERATIONS = 210_000;

    static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {}

    /** A new hash of {@code password} with {@link #DEFAULT_ITERATIONS}. */
    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** A new hash of {@code password} with a fresh salt. */
    public static String hash(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException(
                    "at least " + MIN_ITERATIONS + " iterations, not " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME
                + "$"
                + iterations
                + "$"
                + b64.encodeToString(salt)
                + "$"
                + b64.encodeToString(derive(password, salt, iterations, HASH_BYTES));
    }

    /**
     * Whether {@code password} matches {@code encoded}, compared in constant time; the work is that
     * of the iterations stored in the hash.
     *
     * @throws IllegalArgumentException if {@code encoded} is not such a hash
     */
    public static boolean verify(char[] password, String encoded) {
        Parts p = parse(encoded);
        return MessageDigest.isEqual(derive(password, p.salt, p.iterations, p.hash.length), p.hash);
    }

    /** The iteration count stored in a hash. */
    public static int iterations(String encoded) {
        return parse(encoded).iterations;
    }

    /** Checks that {@code encoded} is a hash this class can verify. */
    public static void check(String encoded) {
        parse(encoded);
    }

    private record Parts(int iterations, byte[] salt, byte[] hash) {}

    private static Parts parse(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not a " + SCHEME + " password hash");
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1 || salt.length < 8 || hash.length < 16) {
                throw new IllegalArgumentException("a " + SCHEME + " hash that is too weak");
            }
            return new Parts(iterations, salt, hash);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a " + SCHEME + " hash with a bad iteration count");
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Overwrites a password held in memory. */
    public static void clear(char[] password) {
        Arrays.fill(password, '\0');
    }
}
