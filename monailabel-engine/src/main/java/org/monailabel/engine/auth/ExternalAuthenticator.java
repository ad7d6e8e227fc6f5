package org.monailabel.engine.auth;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.json.JsonTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokens of an external OpenID Connect provider (Keycloak, or any other): RS256 or ES256 JWTs
 * checked with the provider's key named by {@code kid} in its JWKS ({@link JwksSource}), issued by
 * the configured issuer, for the configured audience when one is set, within {@code exp} and {@code
 * nbf} give or take the clock skew. The user name and the roles come from configurable claims
 * (Keycloak's {@code preferred_username} and {@code realm_access.roles} by default), roles named as
 * MONAI Label's realm names them ({@code monailabel-annotator}) or plainly ({@code annotator}).
 * HS256 and {@code none} are refused whatever the key set holds.
 *
 * <p>Signing in ({@code POST /auth/token}) is the provider's: with a token endpoint configured the
 * password grant is passed on to it (with our client id and secret) and its reply relayed, so that
 * Slicer and MONAI Label's Python client sign in unchanged; without one the request is refused with
 * a message saying where tokens come from. Thread-safe.
 */
public final class ExternalAuthenticator implements Authenticator {
    private static final Logger logger = LoggerFactory.getLogger(ExternalAuthenticator.class);

    /**
     * What to accept.
     *
     * @param issuer the required {@code iss}, e.g. {@code http://keycloak:8080/realms/monailabel}
     * @param jwks a JWKS file or URL
     * @param audience the required {@code aud} member, if any
     * @param rolesClaim the dotted path of the roles array
     * @param usernameClaim the dotted path of the user name
     * @param clockSkew the slack on {@code exp}, {@code nbf} and {@code iat}
     * @param clientId the client id reported by {@code GET /auth/} and sent to the token endpoint
     * @param tokenUrl the provider's token endpoint that password grants are passed on to, if any
     * @param clientSecret the client secret sent with them, if any
     */
    public record Settings(
            String issuer,
            String jwks,
            Optional<String> audience,
            String rolesClaim,
            String usernameClaim,
            Duration clockSkew,
            String clientId,
            Optional<String> tokenUrl,
            Optional<String> clientSecret) {
        public Settings {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(jwks, "jwks");
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(rolesClaim, "rolesClaim");
            Objects.requireNonNull(usernameClaim, "usernameClaim");
            Objects.requireNonNull(clockSkew, "clockSkew");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(tokenUrl, "tokenUrl");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }
    }

    private final Settings settings;
    private final JwksSource keys;
    private final HttpClient http;
    private final Clock clock;

    ExternalAuthenticator(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = clock;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(JwksSource.TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.keys = new JwksSource(settings.jwks(), http, clock);
    }

    /**
     * Accepts the tokens of a provider; reads its JWKS now (a file must be readable; a URL that
     * cannot be fetched yet is tried again when a token comes).
     */
    public static ExternalAuthenticator open(Settings settings) throws IOException {
        ExternalAuthenticator a = new ExternalAuthenticator(settings, Clock.systemUTC());
        try {
            a.keys.load();
        } catch (IOException | IllegalArgumentException e) {
            if (!JwksSource.isUrl(settings.jwks())) {
                throw new IllegalArgumentException(
                        "--conf auth_jwks " + settings.jwks() + ": " + describe(e));
            }
            logger.warn(
                    "Cannot fetch the JWKS {} now ({}); tokens are refused until it answers",
                    settings.jwks(),
                    describe(e));
        }
        return a;
    }

    private static String describe(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException
                ? "no such file"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("enabled", true);
        json.put("client_id", settings.clientId());
        json.put("realm", settings.issuer());
        return json;
    }

    @Override
    public String summary() {
        return "tokens of "
                + settings.issuer()
                + " (keys from "
                + settings.jwks()
                + (settings.tokenUrl().isPresent()
                        ? "; sign-in passed on to " + settings.tokenUrl().get()
                        : "; sign in at the provider")
                + ")";
    }

    @Override
    public Map<String, Object> signIn(String username, char[] password, String address)
            throws IOException {
        if (settings.tokenUrl().isEmpty()) {
            throw new InvalidInputException(
                    "This server accepts tokens of "
                            + settings.issuer()
                            + ": get one from that identity provider (its token endpoint) and send"
                            + " it as 'Authorization: Bearer <token>'");
        }
        if (username.isEmpty() || password.length == 0) {
            throw new InvalidInputException("Both username and password are required");
        }
        StringBuilder form = new StringBuilder();
        field(form, "grant_type", "password");
        field(form, "client_id", settings.clientId());
        settings.clientSecret().ifPresent(s -> field(form, "client_secret", s));
        field(form, "username", username);
        field(form, "password", new String(password));
        field(form, "scope", "openid");
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(settings.tokenUrl().get()))
                                    .timeout(JwksSource.TIMEOUT)
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .header("Accept", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BusyException("The identity provider cannot be reached; try again later", 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException("Interrupted while signing in", 1);
        }
        int status = response.statusCode();
        if (status == 400 || status == 401) {
            logger.info(
                    "Sign-in of '{}' from {} refused by the identity provider", username, address);
            throw new UnauthorizedException(LocalAuthenticator.BAD_CREDENTIALS);
        }
        if (status != 200) {
            throw new BusyException(
                    "The identity provider answered the sign-in with HTTP " + status, 5);
        }
        try {
            return JsonTrees.toJavaMap(JsonTrees.parseObject(response.body()));
        } catch (InvalidInputException e) {
            throw new BusyException("The identity provider's token reply is not JSON", 5);
        }
    }

    private static void field(StringBuilder form, String name, String value) {
        if (form.length() > 0) {
            form.append('&');
        }
        form.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    @Override
    public Identity verify(String token) {
        Jwt.Parsed t = Jwt.parse(token);
        String alg = t.algorithm();
        if (!alg.equals("RS256") && !alg.equals("ES256")) {
            throw Jwt.invalid("unexpected algorithm '" + alg + "'");
        }
        if (!signedByProvider(t, alg, keys.keys())
                && !(t.keyId().isPresent()
                        && keysWith(t.keyId().get(), keys.keys()).isEmpty()
                        && signedByProvider(t, alg, keys.refetch()))) {
            throw Jwt.invalid("bad signature or unknown key");
        }
        JsonObject claims = t.claims();
        if (!Jwt.string(claims, "iss").orElse("").equals(settings.issuer())) {
            throw Jwt.invalid("not issued by " + settings.issuer());
        }
        long now = clock.instant().getEpochSecond();
        long skew = settings.clockSkew().toSeconds();
        long exp = Jwt.seconds(claims, "exp").orElseThrow(() -> Jwt.invalid("no expiry"));
        if (now >= exp + skew) {
            throw Jwt.invalid("token expired");
        }
        Optional<Long> nbf = Jwt.seconds(claims, "nbf");
        if (nbf.isPresent() && now + skew < nbf.get()) {
            throw Jwt.invalid("token not valid yet");
        }
        Optional<Long> iat = Jwt.seconds(claims, "iat");
        if (iat.isPresent() && now + skew < iat.get()) {
            throw Jwt.invalid("token issued in the future");
        }
        if (settings.audience().isPresent()
                && !audiences(claims).contains(settings.audience().get())) {
            throw Jwt.invalid("not for audience " + settings.audience().get());
        }
        String username =
                Jwt.at(claims, settings.usernameClaim())
                        .filter(e -> e instanceof JsonPrimitive p && p.isString())
                        .map(JsonElement::getAsString)
                        .filter(s -> !s.isEmpty())
                        .orElseThrow(
                                () -> Jwt.invalid("no '" + settings.usernameClaim() + "' claim"));
        List<String> roles = strings(Jwt.at(claims, settings.rolesClaim()));
        return new Identity(
                username,
                Jwt.string(claims, "email").orElse(""),
                Jwt.string(claims, "name").orElse(""),
                Role.highest(roles),
                roles);
    }

    private static boolean signedByProvider(Jwt.Parsed t, String alg, List<Jwks.Key> set) {
        List<Jwks.Key> candidates = t.keyId().isPresent() ? keysWith(t.keyId().get(), set) : set;
        for (Jwks.Key key : candidates) {
            if (key.suits(alg) && checks(t, alg, key)) {
                return true;
            }
        }
        return false;
    }

    private static List<Jwks.Key> keysWith(String kid, List<Jwks.Key> set) {
        return set.stream().filter(k -> k.kid().equals(kid)).toList();
    }

    private static boolean checks(Jwt.Parsed t, String alg, Jwks.Key key) {
        if (alg.equals("ES256") && t.signature().length != 64) {
            return false; // JWS ES256 signatures are R || S, 32 bytes each (RFC 7518 §3.4)
        }
        try {
            Signature s =
                    Signature.getInstance(
                            alg.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            s.initVerify(key.key());
            s.update(t.signingInput());
            return s.verify(t.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> audiences(JsonObject claims) {
        return strings(Optional.ofNullable(claims.get("aud")));
    }

    /** A string or an array of strings as a list (other members dropped). */
    private static List<String> strings(Optional<JsonElement> value) {
        List<String> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        JsonElement v = value.get();
        if (v instanceof JsonPrimitive p && p.isString()) {
            out.add(p.getAsString());
        } else if (v instanceof JsonArray a) {
            for (JsonElement e : a) {
                if (e instanceof JsonPrimitive p && p.isString()) {
                    out.add(p.getAsString());
                }
            }
        }
        return out;
    }
}
