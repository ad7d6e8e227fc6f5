package org.monailabel.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {
    @Test
    void aHashVerifiesItsPasswordOnlyAndKeepsSaltAndIterations() {
        String hash = PasswordHash.hash("correct horse".toCharArray());
        assertThat(hash).startsWith("pbkdf2-sha256$600000$");
        String[] parts = hash.split("\\$");
        assertThat(java.util.Base64.getDecoder().decode(parts[2])).hasSize(16);
        assertThat(java.util.Base64.getDecoder().decode(parts[3])).hasSize(32);
        assertThat(PasswordHash.verify("correct horse".toCharArray(), hash)).isTrue();
        assertThat(PasswordHash.verify("correct horsf".toCharArray(), hash)).isFalse();
        assertThat(PasswordHash.iterations(hash)).isEqualTo(PasswordHash.DEFAULT_ITERATIONS);
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        assertThat(PasswordHash.hash("same password".toCharArray(), 210_000))
                .isNotEqualTo(PasswordHash.hash("same password".toCharArray(), 210_000));
    }

    @Test
    void theStoredIterationCountIsTheOneUsed() {
        String fewer = PasswordHash.hash("password1".toCharArray(), 210_000);
        assertThat(PasswordHash.iterations(fewer)).isEqualTo(210_000);
        assertThat(PasswordHash.verify("password1".toCharArray(), fewer)).isTrue();
        // the same salt and hash claimed with another count no longer verifies
        String tampered = fewer.replace("$210000$", "$210001$");
        assertThat(PasswordHash.verify("password1".toCharArray(), tampered)).isFalse();
    }

    @Test
    void weakOrMalformedHashesAreRefused() {
        assertThatThrownBy(() -> PasswordHash.hash("password1".toCharArray(), 1000))
                .isInstanceOf(IllegalArgumentException.class);
        for (String bad :
                new String[] {
                    "",
                    "password",
                    "md5$1$aa$bb",
                    "pbkdf2-sha256$x$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
                    "pbkdf2-sha256$1000$AA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                }) {
            assertThatThrownBy(() -> PasswordHash.check(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
