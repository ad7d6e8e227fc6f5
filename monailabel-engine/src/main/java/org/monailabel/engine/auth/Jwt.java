package org.monailabel.engine.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.monailabel.api.error.UnauthorizedException;
import org.monailabel.engine.json.JsonTrees;

/**
 * The compact form of a JSON Web Token (RFC 7519, JWS compact serialization): three base64url
 * parts, header, claims and signature. Parsing is strict: exactly three non-empty parts of the
 * base64url alphabet without padding, JSON objects for header and claims, no {@code crit} header,
 * at most {@link #MAX_LENGTH} characters. Checking the signature and the claims is the caller's
 * work. Stateless.
 */
final class Jwt {
    /** Longer tokens are refused before any decoding. */
    static final int MAX_LENGTH = 16 * 1024;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /**
     * A parsed token.
     *
     * @param header the JOSE header
     * @param claims the claims
     * @param signingInput the ASCII bytes the signature covers ({@code header.claims})
     * @param signature the signature bytes
     */
    record Parsed(JsonObject header, JsonObject claims, byte[] signingInput, byte[] signature) {
        /** The header's {@code alg}. */
        String algorithm() {
            return string(header, "alg").orElse("");
        }

        /** The header's {@code kid}, if any. */
        Optional<String> keyId() {
            return string(header, "kid");
        }
    }

    private Jwt() {}

    /**
     * Parses a token's structure.
     *
     * @throws UnauthorizedException if it is not a well-formed JWS compact token
     */
    static Parsed parse(String token) {
        if (token.length() > MAX_LENGTH) {
            throw invalid("token too long");
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0
                || second <= first + 1
                || second == token.length() - 1
                || token.indexOf('.', second + 1) >= 0) {
            throw invalid("malformed token");
        }
        String h = token.substring(0, first);
        String c = token.substring(first + 1, second);
        String s = token.substring(second + 1);
        JsonObject header = object(decode(h), "header");
        JsonObject claims = object(decode(c), "claims");
        if (header.has("crit")) {
            throw invalid("token with critical header extensions");
        }
        return new Parsed(
                header, claims, (h + "." + c).getBytes(StandardCharsets.US_ASCII), decode(s));
    }

    /** The signing input of a new token: {@code base64url(header).base64url(claims)}. */
    static String signingInput(JsonObject header, JsonObject claims) {
        return encode(JsonTrees.COMPACT.toJson(header).getBytes(StandardCharsets.UTF_8))
                + "."
                + encode(JsonTrees.COMPACT.toJson(claims).getBytes(StandardCharsets.UTF_8));
    }

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    static byte[] decode(String part) {
        for (int i = 0; i < part.length(); i++) {
            char ch = part.charAt(i);
            boolean ok =
                    (ch >= 'A' && ch <= 'Z')
                            || (ch >= 'a' && ch <= 'z')
                            || (ch >= '0' && ch <= '9')
                            || ch == '-'
                            || ch == '_';
            if (!ok) {
                throw invalid("malformed token");
            }
        }
        try {
            return DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            throw invalid("malformed token");
        }
    }

    private static JsonObject object(byte[] json, String what) {
        try {
            JsonElement e = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException | IllegalStateException e) {
            // fall through
        }
        throw invalid("malformed token " + what);
    }

    /** A string member, if present and a string. */
    static Optional<String> string(JsonObject o, String key) {
        JsonElement v = o.get(key);
        return v instanceof JsonPrimitive p && p.isString()
                ? Optional.of(p.getAsString())
                : Optional.empty();
    }

    /** A numeric member (seconds since the epoch), if present and a number. */
    static Optional<Long> seconds(JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v instanceof JsonPrimitive p && p.isNumber()) {
            double d = p.getAsDouble();
            if (Double.isFinite(d)) {
                return Optional.of((long) Math.floor(d));
            }
        }
        return Optional.empty();
    }

    /** The member at a dotted path ({@code realm_access.roles}), if present. */
    static Optional<JsonElement> at(JsonObject o, String path) {
        JsonElement node = o;
        for (String part : path.split("\\.")) {
            if (!(node instanceof JsonObject obj) || !obj.has(part)) {
                // a claim name containing dots, such as a URL-named claim, is looked up whole
                return o.has(path) ? Optional.of(o.get(path)) : Optional.empty();
            }
            node = obj.get(part);
        }
        return Optional.of(node);
    }

    static UnauthorizedException invalid(String why) {
        return new UnauthorizedException("Could not validate credentials: " + why);
    }
}
