package org.monailabel.engine.auth;

import java.io.IOException;
import java.util.Map;

/**
 * Signs users in and checks their tokens: {@link LocalAuthenticator} (a users file, our own HS256
 * tokens) or {@link ExternalAuthenticator} (an OpenID Connect provider's RS256/ES256 tokens).
 * Implementations are thread-safe; their methods block (file reads, password hashing, JWKS
 * fetches), so call them on worker threads.
 */
public interface Authenticator {
    /** The {@code GET /auth/} reply: {@code {"enabled": true, "client_id", "realm"}}. */
    Map<String, Object> describe();

    /**
     * Signs a user in with the OAuth2 password grant.
     *
     * @param address the client's address (sign-in failures are throttled per address too)
     * @return the token reply: at least {@code access_token}, {@code token_type}, {@code
     *     expires_in}
     * @throws org.monailabel.api.error.UnauthorizedException for a wrong user name or password
     * @throws org.monailabel.api.error.TooManyAttemptsException after too many recent failures
     * @throws org.monailabel.api.error.InvalidInputException if this authenticator does not sign
     *     users in
     */
    Map<String, Object> signIn(String username, char[] password, String address) throws IOException;

    /**
     * The user a bearer token belongs to.
     *
     * @throws org.monailabel.api.error.UnauthorizedException if the token is not valid
     */
    Identity verify(String token);

    /** One line for the start message, e.g. {@code local users from /srv/users.json}. */
    String summary();
}
