package org.monailabel.engine.dicomweb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@code multipart/related} body (RFC 2046 section 5.1, RFC 2387) part by part from a
 * stream, holding at most one buffer ({@value #BUFFER} bytes) in memory: each part's body is a
 * stream that ends at the next delimiter. Not thread-safe.
 *
 * <p>The delimiter is {@code CRLF--boundary}; the first one may open the body without a CRLF before
 * it. Anything before it (the preamble) and after the closing delimiter {@code --boundary--} (the
 * epilogue) is ignored; transport padding (spaces, tabs) after a delimiter is skipped. Part headers
 * end with an empty line; their lines may end with CRLF or a bare LF, and they may take at most
 * {@value #MAX_HEADER_BYTES} bytes. Lengths in part headers ({@code Content-Length}) are not
 * trusted: a part ends where its delimiter is. A body that ends before the closing delimiter, a
 * part longer than the limit given and a boundary that is empty or longer than {@value
 * #MAX_BOUNDARY} characters are refused with a {@link MalformedMultipartException}.
 */
final class MultipartReader {
    static final int BUFFER = 64 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_BOUNDARY = 200;

    /** A {@code multipart} body that does not follow RFC 2046. */
    static final class MalformedMultipartException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedMultipartException(String message) {
            super(message);
        }
    }

    /**
     * One part: its headers (names in lower case) and its body, which ends at the part's end; it is
     * valid until {@link #next()} is called again.
     */
    record Part(Map<String, String> headers, InputStream body) {
        /** The part's {@code Content-Type} without parameters, in lower case; "" if none. */
        String mediaType() {
            String type = headers.getOrDefault("content-type", "");
            int semicolon = type.indexOf(';');
            return (semicolon < 0 ? type : type.substring(0, semicolon))
                    .strip()
                    .toLowerCase(Locale.ROOT);
        }
    }

    private enum State {
        PREAMBLE,
        AFTER_DELIMITER,
        IN_PART,
        DONE
    }

    private final InputStream in;
    private final byte[] delimiter;
    private final String boundary;
    private final long maxPartBytes;
    private final byte[] buf;
    private int pos;
    private int lim;
    private boolean eof;
    private State state = State.PREAMBLE;
    private long partBytes;
    private int parts;

    /**
     * @param in the body, read from where it is
     * @param boundary the boundary parameter of the body's {@code Content-Type} (see {@link
     *     #boundary(String)})
     * @param maxPartBytes the longest part body accepted
     */
    MultipartReader(InputStream in, String boundary, long maxPartBytes)
            throws MalformedMultipartException {
        this.in = Objects.requireNonNull(in, "in");
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw new MalformedMultipartException(
                    "multipart boundary must be 1 to " + MAX_BOUNDARY + " characters long");
        }
        this.boundary = boundary;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.maxPartBytes = maxPartBytes;
        this.buf = new byte[Math.max(BUFFER, 4 * delimiter.length)];
        // a virtual CRLF, so that a first delimiter at the very start matches like the others
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /**
     * The {@code boundary} parameter of a {@code multipart/*} media type, unquoted (a quoted
     * string's backslash escapes removed).
     *
     * @throws MalformedMultipartException if the type is not {@code multipart/*} or has no boundary
     */
    static String boundary(String contentType) throws MalformedMultipartException {
        if (contentType == null
                || !contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            throw new MalformedMultipartException(
                    "expected a multipart response, got Content-Type '" + contentType + "'");
        }
        String value = parameter(contentType, "boundary");
        if (value == null || value.isEmpty()) {
            throw new MalformedMultipartException(
                    "multipart Content-Type without a boundary: '" + contentType + "'");
        }
        return value;
    }

    /** A parameter of a media type ({@code type/sub; name=value; name="quoted"}), or null. */
    static String parameter(String mediaType, String name) {
        int i = mediaType.indexOf(';');
        while (i >= 0 && i < mediaType.length()) {
            i++;
            while (i < mediaType.length() && isSpace(mediaType.charAt(i))) {
                i++;
            }
            int eq = mediaType.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String key = mediaType.substring(i, eq).strip();
            int j = eq + 1;
            while (j < mediaType.length() && isSpace(mediaType.charAt(j))) {
                j++;
            }
            StringBuilder value = new StringBuilder();
            if (j < mediaType.length() && mediaType.charAt(j) == '"') {
                j++;
                while (j < mediaType.length() && mediaType.charAt(j) != '"') {
                    char c = mediaType.charAt(j);
                    if (c == '\\' && j + 1 < mediaType.length()) {
                        j++;
                        c = mediaType.charAt(j);
                    }
                    value.append(c);
                    j++;
                }
                j = mediaType.indexOf(';', j);
            } else {
                int end = mediaType.indexOf(';', j);
                value.append(
                        (end < 0 ? mediaType.substring(j) : mediaType.substring(j, end)).strip());
                j = end;
            }
            if (key.equalsIgnoreCase(name)) {
                return value.toString();
            }
            i = j;
        }
        return null;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** How many parts {@link #next()} has returned. */
    int parts() {
        return parts;
    }

    /**
     * The next part, or null after the closing delimiter. Skips what is left of the previous part's
     * body.
     */
    Part next() throws IOException {
        if (state == State.DONE) {
            return null;
        }
        if (state == State.PREAMBLE || state == State.IN_PART) {
            byte[] skip = new byte[8192];
            while (readBody(skip, 0, skip.length) >= 0) {
                // skipping the preamble or the rest of the previous part
            }
        }
        // right after a delimiter: "--" closes the body, else padding, CRLF and the headers
        if (!ensure(2)) {
            throw truncated("after a boundary");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            state = State.DONE;
            return null;
        }
        while (ensure(1) && (buf[pos] == ' ' || buf[pos] == '\t')) {
            pos++;
        }
        if (ensure(2) && buf[pos] == '\r' && buf[pos + 1] == '\n') {
            pos += 2;
        } else if (ensure(1) && buf[pos] == '\n') {
            pos++;
        } else if (eof && pos >= lim) {
            throw truncated("after a boundary");
        } else {
            throw new MalformedMultipartException(
                    "multipart boundary '" + boundary + "' not followed by a line end");
        }
        Map<String, String> headers = readHeaders();
        state = State.IN_PART;
        partBytes = 0;
        parts++;
        return new Part(headers, new PartStream());
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (!ensure(1)) {
                    throw truncated("in the headers of part " + (parts + 1));
                }
                byte b = buf[pos++];
                if (++total > MAX_HEADER_BYTES) {
                    throw new MalformedMultipartException(
                            "headers of part "
                                    + (parts + 1)
                                    + " longer than "
                                    + MAX_HEADER_BYTES
                                    + " bytes");
                }
                if (b == '\n') {
                    break;
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                return headers;
            }
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipartException(
                        "part "
                                + (parts + 1)
                                + " has a header line without a name: '"
                                + text
                                + "'");
            }
            headers.put(
                    text.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    text.substring(colon + 1).strip());
        }
    }

    private MalformedMultipartException truncated(String where) {
        if (state == State.PREAMBLE) {
            return new MalformedMultipartException(
                    "multipart body has no boundary '--" + boundary + "'");
        }
        return new MalformedMultipartException(
                "multipart body truncated " + where + ": it ends before the closing boundary");
    }

    /**
     * Makes at least {@code n} bytes available from {@code pos}; false if the stream ends first.
     */
    private boolean ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (eof) {
                return false;
            }
            fill();
        }
        return true;
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
        } else {
            lim += n;
        }
    }

    /**
     * Reads body bytes of the current part (or of the preamble); -1 once its delimiter has been
     * consumed.
     */
    private int readBody(byte[] b, int off, int len) throws IOException {
        if (state == State.AFTER_DELIMITER || state == State.DONE) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int need = delimiter.length + 2; // the delimiter and what must follow it
        while (true) {
            if (lim - pos < need && !eof) {
                fill();
                continue;
            }
            // search only as far as this read can return (plus a delimiter), not the whole
            // buffer each time: a caller reading 8 KB at a time would scan 64 KB per read
            int window = (int) Math.min(lim, (long) pos + len + need);
            int i = indexOf(delimiter, pos, window);
            int safeEnd;
            if (i < 0 && window < lim) {
                safeEnd = window - delimiter.length + 1; // no delimiter starts before this
            } else if (i == pos) {
                if (isDelimiterEnd(pos + delimiter.length)) {
                    pos += delimiter.length;
                    state = State.AFTER_DELIMITER;
                    return -1;
                }
                safeEnd = pos + 1; // "--boundary" followed by more: content, not a delimiter
            } else if (i > pos) {
                safeEnd = i;
            } else if (eof) {
                throw truncated(state == State.IN_PART ? "in part " + parts : "");
            } else {
                safeEnd = lim - delimiter.length + 1; // a delimiter may start after this
            }
            int n = Math.min(len, safeEnd - pos);
            if (state == State.IN_PART) {
                partBytes += n;
                if (partBytes > maxPartBytes) {
                    throw new MalformedMultipartException(
                            "multipart part " + parts + " longer than " + maxPartBytes + " bytes");
                }
            }
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Whether the bytes at {@code at} may follow a delimiter ("--", padding, a line end, EOF). */
    private boolean isDelimiterEnd(int at) {
        if (at >= lim) {
            return true; // the stream ends here; next() reports it as truncated
        }
        byte c = buf[at];
        if (c == '-') {
            return at + 1 >= lim || buf[at + 1] == '-';
        }
        return c == '\r' || c == '\n' || c == ' ' || c == '\t';
    }

    private int indexOf(byte[] pattern, int from, int to) {
        byte first = pattern[0];
        int last = to - pattern.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int k = 1; k < pattern.length; k++) {
                if (buf[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private final class PartStream extends InputStream {
        private final int part = parts;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (part != parts || state != State.IN_PART) {
                return -1;
            }
            return readBody(b, off, len);
        }
    }
}
