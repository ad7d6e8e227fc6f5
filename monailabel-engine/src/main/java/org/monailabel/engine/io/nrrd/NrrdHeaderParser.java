package org.monailabel.engine.io.nrrd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.monailabel.engine.io.InvalidImageException;

/**
 * Reads a NRRD text header byte by byte up to the blank line that ends it (or the end of a detached
 * header), leaving the stream at the first data byte. Bounded: lines of at most 64 KiB and headers
 * of at most 1 MiB, so a file without line breaks cannot exhaust memory.
 */
final class NrrdHeaderParser {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_HEADER = 1 << 20;

    private NrrdHeaderParser() {}

    /** Parses the header; {@code in} should be buffered, it is read one byte at a time. */
    static NrrdHeader parse(InputStream in) throws IOException {
        Line first = readLine(in, 0);
        if (first == null || !first.text().matches("NRRD000[1-5]")) {
            throw new InvalidImageException(
                    "Not a NRRD file: the first line is not NRRD0001..NRRD0005");
        }
        long length = first.bytes();
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, String> keyValues = new LinkedHashMap<>();
        while (true) {
            Line line = readLine(in, length);
            if (line == null) {
                return new NrrdHeader(fields, keyValues, length, false);
            }
            length += line.bytes();
            String text = line.text();
            if (text.isEmpty()) {
                return new NrrdHeader(fields, keyValues, length, true);
            }
            if (text.startsWith("#")) {
                continue;
            }
            int kv = text.indexOf(":=");
            int field = text.indexOf(": ");
            if (kv >= 0 && (field < 0 || kv < field)) {
                keyValues.put(unescape(text.substring(0, kv)), unescape(text.substring(kv + 2)));
            } else if (field > 0) {
                String name = text.substring(0, field).trim().toLowerCase(Locale.ROOT);
                if (fields.put(name, text.substring(field + 2).trim()) != null) {
                    throw new InvalidImageException(
                            "NRRD field '" + NrrdHeader.abbreviate(name) + "' appears twice");
                }
            } else {
                throw new InvalidImageException(
                        "NRRD header line '"
                                + NrrdHeader.abbreviate(text)
                                + "' is neither a field nor a key/value pair");
            }
        }
    }

    private record Line(String text, int bytes) {}

    private static Line readLine(InputStream in, long sofar) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(80);
        int bytes = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (bytes == 0) {
                    return null;
                }
                break;
            }
            bytes++;
            if (b == '\n') {
                break;
            }
            if (bytes > MAX_LINE || sofar + bytes > MAX_HEADER) {
                throw new InvalidImageException(
                        "NRRD header line or header too long (limits "
                                + MAX_LINE
                                + " and "
                                + MAX_HEADER
                                + " bytes)");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new Line(text, bytes);
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
