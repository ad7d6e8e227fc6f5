package org.monailabel.engine.auth;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.monailabel.engine.auth.UsersFile.User;

/**
 * Our own tokens: JWTs signed with HS256 and the server's key ({@link TokenKey}). A token carries
 * {@code iss} ({@value #ISSUER}), {@code sub} and {@code preferred_username} (the user name),
 * {@code name}, {@code email}, {@code realm_access.roles} (as Keycloak does), {@code iat}, {@code
 * exp}, a random {@code jti}, and {@code pwv}: an HMAC of the user's name and current password
 * hash, so that a token stops being valid when its user is removed or the password changed. The
 * role is read from the users file at every check, so a new role applies at once. Thread-safe.
 */
final class LocalTokens {
    static final String ISSUER = "monailabel";

    private static final String HS256 = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final Duration expiry;
    private final Clock clock;

    LocalTokens(byte[] key, Duration expiry, Clock clock) {
        this.key = new SecretKeySpec(key.clone(), HS256);
        this.expiry = expiry;
        this.clock = clock;
    }

    Duration expiry() {
        return expiry;
    }

    /** A new token for {@code user}. */
    String issue(User user) {
        long now = clock.instant().getEpochSecond();
        JsonObject header = new JsonObject();
        header.addProperty("alg", "HS256");
        header.addProperty("typ", "JWT");
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", ISSUER);
        claims.addProperty("sub", user.name());
        claims.addProperty("preferred_username", user.name());
        claims.addProperty("name", user.fullName());
        claims.addProperty("email", user.email());
        JsonObject realm = new JsonObject();
        JsonArray roles = new JsonArray();
        user.role().grantedRealmNames().forEach(roles::add);
        realm.add("roles", roles);
        claims.add("realm_access", realm);
        claims.addProperty("iat", now);
        claims.addProperty("exp", now + expiry.toSeconds());
        byte[] jti = new byte[16];
        RANDOM.nextBytes(jti);
        claims.addProperty("jti", Jwt.encode(jti));
        claims.addProperty("pwv", fingerprint(user));
        String input = Jwt.signingInput(header, claims);
        return input + "." + Jwt.encode(mac(input.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * The user a token belongs to, looked up in {@code users}.
     *
     * @throws org.monailabel.api.error.UnauthorizedException if the token is not one of ours,
     *     expired, or its user was removed or changed password since
     */
    Identity verify(String token, Map<String, User> users) {
        Jwt.Parsed t = Jwt.parse(token);
        if (!t.algorithm().equals("HS256")) {
            throw Jwt.invalid("unexpected algorithm '" + t.algorithm() + "'");
        }
        Optional<String> typ = Jwt.string(t.header(), "typ");
        if (typ.isPresent() && !typ.get().equalsIgnoreCase("JWT")) {
            throw Jwt.invalid("not a JWT");
        }
        if (!MessageDigest.isEqual(mac(t.signingInput()), t.signature())) {
            throw Jwt.invalid("bad signature");
        }
        if (!Jwt.string(t.claims(), "iss").orElse("").equals(ISSUER)) {
            throw Jwt.invalid("not issued by this server");
        }
        long exp = Jwt.seconds(t.claims(), "exp").orElseThrow(() -> Jwt.invalid("no expiry"));
        if (clock.instant().getEpochSecond() >= exp) {
            throw Jwt.invalid("token expired");
        }
        String name = Jwt.string(t.claims(), "sub").orElseThrow(() -> Jwt.invalid("no subject"));
        User user = users.get(name);
        if (user == null) {
            throw Jwt.invalid("no such user");
        }
        byte[] expected = fingerprint(user).getBytes(StandardCharsets.US_ASCII);
        byte[] given = Jwt.string(t.claims(), "pwv").orElse("").getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw Jwt.invalid("the password changed since the token was issued");
        }
        return new Identity(
                user.name(),
                user.email(),
                user.fullName(),
                Optional.of(user.role()),
                user.role().grantedRealmNames());
    }

    /** 16 bytes of HMAC(key, name, password hash), base64url. */
    String fingerprint(User user) {
        byte[] m =
                mac(
                        ("pwv\0" + user.name() + "\0" + user.passwordHash())
                                .getBytes(StandardCharsets.UTF_8));
        return Jwt.encode(Arrays.copyOf(m, 16));
    }

    private byte[] mac(byte[] input) {
        try {
            Mac mac = Mac.getInstance(HS256);
            mac.init(key);
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
