package org.monailabel.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.monailabel.engine.json.JsonTrees;

/**
 * Makes JWTs the way an identity provider does, written apart from the server's own code (so that
 * tests check it against an independent encoder): RSA and EC P-256 key pairs, their JWKS, and
 * compact tokens signed RS256, ES256 (R || S), HS256 or not at all ({@code none}).
 */
public final class TestJwts {
    private TestJwts() {}

    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public JWK of a key pair, as a provider lists it. */
    public static JsonObject jwk(KeyPair pair, String kid) {
        JsonObject jwk = new JsonObject();
        jwk.addProperty("kid", kid);
        jwk.addProperty("use", "sig");
        if (pair.getPublic() instanceof RSAPublicKey rsa) {
            jwk.addProperty("kty", "RSA");
            jwk.addProperty("alg", "RS256");
            jwk.addProperty("n", b64(unsigned(rsa.getModulus(), 0)));
            jwk.addProperty("e", b64(unsigned(rsa.getPublicExponent(), 0)));
        } else {
            ECPublicKey ec = (ECPublicKey) pair.getPublic();
            jwk.addProperty("kty", "EC");
            jwk.addProperty("alg", "ES256");
            jwk.addProperty("crv", "P-256");
            jwk.addProperty("x", b64(unsigned(ec.getW().getAffineX(), 32)));
            jwk.addProperty("y", b64(unsigned(ec.getW().getAffineY(), 32)));
        }
        return jwk;
    }

    /** A JWKS document of key pairs by key id, plus an encryption key a provider also lists. */
    public static String jwks(Map<String, KeyPair> keys) {
        JsonArray list = new JsonArray();
        keys.forEach((kid, pair) -> list.add(jwk(pair, kid)));
        JsonObject enc = jwk(rsa(), "enc-key");
        enc.addProperty("use", "enc");
        enc.addProperty("alg", "RSA-OAEP");
        list.add(enc);
        JsonObject root = new JsonObject();
        root.add("keys", list);
        return JsonTrees.PRETTY.toJson(root);
    }

    public static Path writeJwks(Path file, Map<String, KeyPair> keys) throws IOException {
        Files.writeString(file, jwks(keys));
        return file;
    }

    /** Claims as a provider would issue them, valid for five minutes from {@code now}. */
    public static Map<String, Object> claims(
            String issuer, String username, long now, String... roles) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "f3c1-" + username);
        claims.put("aud", "account");
        claims.put("preferred_username", username);
        claims.put("email", username + "@example.org");
        claims.put("name", "Test " + username);
        claims.put("iat", now);
        claims.put("exp", now + 300);
        claims.put("realm_access", Map.of("roles", Arrays.asList(roles)));
        return claims;
    }

    /** A token signed with {@code alg} ({@code RS256}, {@code ES256} with a private key). */
    public static String sign(String alg, String kid, Map<String, Object> claims, PrivateKey key) {
        String input = input(alg, kid, claims);
        try {
            byte[] signature;
            if (alg.equals("RS256")) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(key);
                s.update(input.getBytes(StandardCharsets.US_ASCII));
                signature = s.sign();
            } else if (alg.equals("ES256")) {
                Signature s = Signature.getInstance("SHA256withECDSA"); // DER, converted below
                s.initSign(key);
                s.update(input.getBytes(StandardCharsets.US_ASCII));
                signature = derToConcatenated(s.sign());
            } else {
                throw new IllegalArgumentException(alg);
            }
            return input + "." + b64(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token signed HS256 with {@code secret}. */
    public static String hs256(String kid, Map<String, Object> claims, byte[] secret) {
        String input = input("HS256", kid, claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}, empty signature part). */
    public static String unsigned(Map<String, Object> claims) {
        return input("none", null, claims) + ".";
    }

    /** Header and claims of a token, base64url, without its signature. */
    public static String input(String alg, String kid, Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("typ", "JWT");
        if (kid != null) {
            header.put("kid", kid);
        }
        return b64(JsonTrees.COMPACT.toJson(header).getBytes(StandardCharsets.UTF_8))
                + "."
                + b64(JsonTrees.COMPACT.toJson(claims).getBytes(StandardCharsets.UTF_8));
    }

    /** The claims of a token, decoded. */
    public static Map<String, Object> decodeClaims(String token) {
        String part = token.split("\\.")[1];
        return JsonTrees.toJavaMap(
                JsonTrees.parseObject(
                        new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8)));
    }

    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** ASN.1 {@code SEQUENCE {INTEGER r, INTEGER s}} to the 64 bytes of JWS ES256. */
    static byte[] derToConcatenated(byte[] der) {
        int i = 2; // SEQUENCE tag and a one-byte length (always < 128 for P-256)
        if ((der[1] & 0x80) != 0) {
            i += der[1] & 0x7f;
        }
        byte[] out = new byte[64];
        for (int part = 0; part < 2; part++) {
            int length = der[i + 1];
            byte[] v = Arrays.copyOfRange(der, i + 2, i + 2 + length);
            byte[] u = unsigned(new BigInteger(1, v), 32);
            System.arraycopy(u, 0, out, part * 32, 32);
            i += 2 + length;
        }
        return out;
    }

    /** Big-endian bytes without sign, left-padded to {@code size} (0: minimal). */
    static byte[] unsigned(BigInteger n, int size) {
        byte[] b = n.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        if (size > b.length) {
            byte[] padded = new byte[size];
            System.arraycopy(b, 0, padded, size - b.length, b.length);
            return padded;
        }
        return b;
    }
}
