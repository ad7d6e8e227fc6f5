package org.monailabel.http.support;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.PayloadTooLargeException;

/** Small helpers over an exchange: parameters, bodies, headers. Stateless. */
public final class Http {
    /** The attachment key of the parsed query (form-decoded: {@code +} is a space). */
    private static final AttachmentKey<Map<String, List<String>>> QUERY =
            AttachmentKey.create(Map.class);

    private Http() {}

    /** Who made a request when authentication is off (or before it is checked). */
    public static final String ANONYMOUS = "anonymous";

    /**
     * The exchange attachment naming the signed-in user; set by the authentication handler once a
     * request's token is checked, absent when authentication is off.
     */
    public static final AttachmentKey<String> USER = AttachmentKey.create(String.class);

    /** The signed-in user's name, or {@value #ANONYMOUS}. */
    public static String user(HttpServerExchange exchange) {
        String user = exchange.getAttachment(USER);
        return user == null ? ANONYMOUS : user;
    }

    /** The client's address (no port), for audit records. */
    public static String clientAddress(HttpServerExchange exchange) {
        var address = exchange.getSourceAddress();
        if (address == null) {
            return "";
        }
        return address.getAddress() != null
                ? address.getAddress().getHostAddress()
                : address.getHostString();
    }

    /**
     * The query parameters, decoded as HTML forms are ({@code +} → space, {@code %XX}), parsed from
     * the raw query string so that no other decoding applies.
     */
    public static Map<String, List<String>> queryParameters(HttpServerExchange exchange) {
        Map<String, List<String>> parsed = exchange.getAttachment(QUERY);
        if (parsed == null) {
            parsed = parseForm(exchange.getQueryString());
            exchange.putAttachment(QUERY, parsed);
        }
        return parsed;
    }

    /** An {@code application/x-www-form-urlencoded} string as a multimap, in order. */
    public static Map<String, List<String>> parseForm(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "Malformed percent-encoding in '" + abbreviate(s) + "'");
        }
    }

    /** A query parameter, if present (the first value). */
    public static Optional<String> query(HttpServerExchange exchange, String name) {
        List<String> values = queryParameters(exchange).get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** A query parameter that must be present and non-empty. */
    public static String requiredQuery(HttpServerExchange exchange, String name) {
        return query(exchange, name)
                .filter(v -> !v.isEmpty())
                .orElseThrow(
                        () -> new InvalidInputException("Missing query parameter '" + name + "'"));
    }

    /** A boolean query parameter ({@code true}/{@code false}, any case; also 1/0). */
    public static boolean queryFlag(
            HttpServerExchange exchange, String name, boolean defaultValue) {
        Optional<String> v = query(exchange, name);
        if (v.isEmpty() || v.get().isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default ->
                    throw new InvalidInputException(
                            "Query parameter '" + name + "' must be true or false");
        };
    }

    /** An integer query parameter. */
    public static long queryLong(HttpServerExchange exchange, String name, long defaultValue) {
        Optional<String> v = query(exchange, name);
        if (v.isEmpty() || v.get().isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.get().trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Query parameter '" + name + "' must be an integer");
        }
    }

    /**
     * A path parameter of the matched route ({@code %XX}-decoded only: {@code +} stays {@code +}).
     */
    public static String pathParam(HttpServerExchange exchange, String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String value = match == null ? null : match.getParameters().get(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException("Missing path parameter '" + name + "'");
        }
        return value;
    }

    /** The request's media type, lower case, without parameters; empty if none was sent. */
    public static String mediaType(HttpServerExchange exchange) {
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi))
                .trim()
                .toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a small body completely (JSON params, url-encoded forms).
     *
     * @throws PayloadTooLargeException past {@code limit} bytes
     */
    public static byte[] readSmallBody(HttpServerExchange exchange, int limit) throws IOException {
        long declared = exchange.getRequestContentLength();
        if (declared > limit) {
            throw new PayloadTooLargeException(
                    "Request body of "
                            + declared
                            + " bytes exceeds the "
                            + limit
                            + "-byte limit for this endpoint");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        InputStream in = exchange.getInputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > limit) {
                throw new PayloadTooLargeException(
                        "Request body exceeds the " + limit + "-byte limit for this endpoint");
            }
        }
        return out.toByteArray();
    }

    /**
     * The {@code Content-Disposition} value for a download, in a form 3D Slicer parses: {@code
     * filename="..."} for plain names, RFC 5987 {@code filename*=utf-8''...} when the name needs
     * escaping (spaces, quotes, non-ASCII), as upstream does.
     */
    public static String attachment(String fileName) {
        boolean plain = true;
        for (int i = 0; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (c <= ' ' || c >= 127 || c == '"' || c == '\\' || c == '%' || c == ';' || c == ',') {
                plain = false;
                break;
            }
        }
        if (plain) {
            return "attachment; filename=\"" + fileName + "\"";
        }
        String encoded = URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename*=utf-8''" + encoded;
    }

    /**
     * Reads and discards up to {@code cap} bytes of an unread request body, so the client sees the
     * reply.
     */
    public static void drainQuietly(HttpServerExchange exchange, long cap) {
        if (!exchange.isBlocking() || exchange.isRequestComplete()) {
            return;
        }
        try {
            InputStream in = exchange.getInputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            int n;
            while (total < cap && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // the connection is closed after the reply anyway
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
