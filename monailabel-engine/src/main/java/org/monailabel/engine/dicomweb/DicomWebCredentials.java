package org.monailabel.engine.dicomweb;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link DicomWebClient} authenticates: not at all, with HTTP basic authentication, or with a
 * bearer token. Immutable; {@link #toString()} never shows the secret.
 */
public final class DicomWebCredentials {
    private static final DicomWebCredentials NONE = new DicomWebCredentials("none", null);

    private final String kind;
    private final String authorization;

    private DicomWebCredentials(String kind, String authorization) {
        this.kind = kind;
        this.authorization = authorization;
    }

    /** No {@code Authorization} header. */
    public static DicomWebCredentials none() {
        return NONE;
    }

    /** HTTP basic authentication (RFC 7617, UTF-8). */
    public static DicomWebCredentials basic(String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a basic-auth username cannot contain ':'");
        }
        String token = username + ":" + password;
        return new DicomWebCredentials(
                "basic",
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** A bearer token (RFC 6750), e.g. an OAuth access token. */
    public static DicomWebCredentials bearer(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
            throw new IllegalArgumentException("a bearer token must be printable ASCII");
        }
        return new DicomWebCredentials("bearer token", "Bearer " + token);
    }

    /** The {@code Authorization} header value, if any. */
    public Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /** The kind of credentials only ({@code none}, {@code basic}, {@code bearer token}). */
    @Override
    public String toString() {
        return kind;
    }
}
