package org.monailabel.engine.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HMAC-SHA256 key local tokens are signed with: the {@code auth_secret} setting when given (at
 * least 32 characters), otherwise 32 random bytes generated on the first start and kept, Base64, in
 * {@code <work dir>/auth/token.key}, an owner-only file. Replacing the key (a new secret, or
 * deleting the file) ends every token issued before.
 */
final class TokenKey {
    static final String FILE = "token.key";
    static final int MIN_SECRET = 32;

    private static final Logger logger = LoggerFactory.getLogger(TokenKey.class);

    private TokenKey() {}

    static byte[] load(Optional<String> secret, Path authDir) throws IOException {
        if (secret.isPresent()) {
            byte[] key = secret.get().getBytes(StandardCharsets.UTF_8);
            if (key.length < MIN_SECRET) {
                throw new IllegalArgumentException(
                        "--conf auth_secret must be at least " + MIN_SECRET + " characters");
            }
            return key;
        }
        Path file = authDir.resolve(FILE);
        if (Files.exists(file)) {
            if (PrivateFiles.openToOthers(file)) {
                logger.warn(
                        "{} can be read or written by others than its owner: anyone who can read"
                                + " it can make tokens for any user (chmod 600 it)",
                        file);
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(Files.readString(file).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        file + " is not a token key (delete it to have a new one made)");
            }
            if (key.length < MIN_SECRET) {
                throw new IllegalArgumentException(
                        file
                                + " holds a key shorter than 32 bytes (delete it to have a new one"
                                + " made)");
            }
            return key;
        }
        byte[] key = new byte[MIN_SECRET];
        new SecureRandom().nextBytes(key);
        PrivateFiles.write(
                file,
                (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.UTF_8));
        logger.info("Generated the token signing key {}", file);
        return key;
    }
}
