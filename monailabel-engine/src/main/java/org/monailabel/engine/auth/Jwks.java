package org.monailabel.engine.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A JSON Web Key Set (RFC 7517) reduced to the signature keys we can check: RSA keys of at least
 * 2048 bits (for RS256) and EC keys on P-256 (for ES256). Keys for encryption ({@code "use":
 * "enc"}), of other types or curves are skipped, as a provider's set usually has some (Keycloak
 * lists an {@code RSA-OAEP} key). Immutable.
 */
final class Jwks {
    /**
     * A signature key.
     *
     * @param kid the key id, or empty
     * @param alg the algorithm the set ties the key to, or empty
     * @param key the public key
     */
    record Key(String kid, Optional<String> alg, PublicKey key) {
        /** Whether a token signed with {@code algorithm} may be checked with this key. */
        boolean suits(String algorithm) {
            if (alg.isPresent() && !alg.get().equals(algorithm)) {
                return false;
            }
            return switch (algorithm) {
                case "RS256" -> key.getAlgorithm().equals("RSA");
                case "ES256" -> key.getAlgorithm().equals("EC");
                default -> false;
            };
        }
    }

    private Jwks() {}

    /**
     * The usable keys of a JWKS document.
     *
     * @throws IllegalArgumentException if it is not a JWKS document or a key is malformed
     */
    static List<Key> parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (!root.isJsonObject()
                || !root.getAsJsonObject().has("keys")
                || !root.getAsJsonObject().get("keys").isJsonArray()) {
            throw new IllegalArgumentException("not a JWKS document ({\"keys\": [...]})");
        }
        List<Key> keys = new ArrayList<>();
        for (JsonElement e : root.getAsJsonObject().getAsJsonArray("keys")) {
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("a key that is not an object");
            }
            key(e.getAsJsonObject()).ifPresent(keys::add);
        }
        return List.copyOf(keys);
    }

    private static Optional<Key> key(JsonObject jwk) {
        String use = Jwt.string(jwk, "use").orElse("sig");
        if (!use.equals("sig")) {
            return Optional.empty();
        }
        String kty = Jwt.string(jwk, "kty").orElse("");
        String kid = Jwt.string(jwk, "kid").orElse("");
        Optional<String> alg = Jwt.string(jwk, "alg");
        try {
            if (kty.equals("RSA")) {
                RSAPublicKey key =
                        (RSAPublicKey)
                                KeyFactory.getInstance("RSA")
                                        .generatePublic(
                                                new RSAPublicKeySpec(
                                                        number(jwk, "n", kid),
                                                        number(jwk, "e", kid)));
                if (key.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException(
                            "RSA key '" + kid + "' is shorter than 2048 bits");
                }
                return Optional.of(new Key(kid, alg, key));
            }
            if (kty.equals("EC") && Jwt.string(jwk, "crv").orElse("").equals("P-256")) {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec("secp256r1"));
                ECParameterSpec curve = p.getParameterSpec(ECParameterSpec.class);
                ECPoint point = new ECPoint(number(jwk, "x", kid), number(jwk, "y", kid));
                PublicKey key =
                        KeyFactory.getInstance("EC")
                                .generatePublic(new ECPublicKeySpec(point, curve));
                return Optional.of(new Key(kid, alg, key));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key '" + kid + "' is not valid: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static BigInteger number(JsonObject jwk, String member, String kid) {
        String text =
                Jwt.string(jwk, member)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "key '" + kid + "' has no '" + member + "'"));
        try {
            return new BigInteger(1, Jwt.decode(text));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "key '" + kid + "' has a malformed '" + member + "'");
        }
    }
}
