package org.monailabel.http.support;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.PayloadTooLargeException;

/**
 * A streaming {@code multipart/form-data} parser that accepts what MONAI Label's clients really
 * send (docs/rest-api.md §1.3): unquoted boundaries with {@code $} and long runs of dashes, file
 * names that are full Windows paths with raw backslashes, files before or after fields, no CRLF
 * after the closing boundary, bare LF line ends. File parts stream to temporary files; text fields
 * are kept in memory up to a limit. A body that ends before its closing boundary is refused as
 * truncated.
 */
public final class MultipartParser {
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_PREAMBLE_BYTES = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    private final long maxTotal;
    private final int maxField;
    private final Path tmpDir;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private long consumed;

    /**
     * @param boundary the boundary from the Content-Type header
     * @param maxTotal the largest body accepted (bytes)
     * @param maxField the largest text field accepted (bytes)
     * @param tmpDir where file parts are spooled
     */
    public MultipartParser(
            InputStream in, String boundary, long maxTotal, int maxField, Path tmpDir) {
        this.in = Objects.requireNonNull(in, "in");
        if (boundary.isEmpty() || boundary.length() > 200) {
            throw new InvalidInputException("Multipart boundary must be 1 to 200 characters");
        }
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.maxTotal = maxTotal;
        this.maxField = maxField;
        this.tmpDir = Objects.requireNonNull(tmpDir, "tmpDir");
        // A virtual CRLF, so the first delimiter matches even without a preamble.
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /** The boundary parameter of a {@code multipart/form-data} Content-Type (quoted or not). */
    public static String boundaryOf(String contentType) {
        String lower = contentType.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("boundary=");
        if (at < 0) {
            throw new InvalidInputException("multipart/form-data without a boundary");
        }
        String rest = contentType.substring(at + "boundary=".length());
        String boundary;
        if (rest.startsWith("\"")) {
            int end = rest.indexOf('"', 1);
            boundary = end < 0 ? rest.substring(1) : rest.substring(1, end);
        } else {
            int end = rest.indexOf(';');
            boundary = (end < 0 ? rest : rest.substring(0, end)).trim();
        }
        if (boundary.isEmpty()) {
            throw new InvalidInputException("multipart/form-data with an empty boundary");
        }
        return boundary;
    }

    /** Parses the whole body into {@code form} (files already spooled stay in it, for clean-up). */
    public void parse(Form form) throws IOException {
        if (!skipTo(OutputStream.nullOutputStream(), MAX_PREAMBLE_BYTES)) {
            throw new InvalidInputException("Not a multipart body: no boundary found");
        }
        while (true) {
            if (!ensure(2)) {
                throw truncated();
            }
            if (buf[pos] == '-' && buf[pos + 1] == '-') {
                return; // closing boundary; the epilogue (and a missing CRLF) does not matter
            }
            while (ensure(1) && (buf[pos] == ' ' || buf[pos] == '\t')) {
                pos++;
            }
            if (!endOfLine()) {
                throw new InvalidInputException("Malformed multipart body: bad boundary line");
            }
            readPart(form);
        }
    }

    private void readPart(Form form) throws IOException {
        String disposition = null;
        int headerBytes = 0;
        while (true) {
            String line = readLine();
            headerBytes += line.length() + 2;
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new InvalidInputException("Multipart part headers are too long");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
                disposition = line.substring(colon + 1).trim();
            }
        }
        if (disposition == null) {
            throw new InvalidInputException("Multipart part without Content-Disposition");
        }
        String name = parameter(disposition, "name");
        String fileName = parameter(disposition, "filename");
        String extended = parameter(disposition, "filename*");
        if (extended != null) {
            int quotes = extended.indexOf("''");
            String encoded = quotes >= 0 ? extended.substring(quotes + 2) : extended;
            try {
                fileName = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("Malformed filename* in a multipart part");
            }
        }
        if (name == null) {
            throw new InvalidInputException("Multipart part without a name");
        }
        if (fileName == null) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            if (!skipTo(value, maxField)) {
                throw truncated();
            }
            form.addField(name, value.toString(StandardCharsets.UTF_8));
            return;
        }
        Path file = Files.createTempFile(tmpDir, "upload-", ".part");
        form.addFile(new Form.FilePart(name, fileName, file, -1)); // registered first, for clean-up
        long size;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 65536)) {
            CountingOutputStream counting = new CountingOutputStream(out);
            if (!skipTo(counting, Long.MAX_VALUE)) {
                throw truncated();
            }
            size = counting.count;
        }
        form.replaceLastFile(name, new Form.FilePart(name, fileName, file, size));
    }

    /**
     * Copies bytes to {@code out} until the delimiter, which is consumed. False at end of input.
     *
     * @throws InvalidInputException past {@code max} bytes (text fields, preamble)
     */
    private boolean skipTo(OutputStream out, long max) throws IOException {
        long copied = 0;
        while (true) {
            int found = indexOfDelimiter();
            if (found >= 0) {
                copied += found - pos;
                checkField(copied, max);
                out.write(buf, pos, found - pos);
                pos = found + delimiter.length;
                return true;
            }
            int safe = lim - (delimiter.length - 1);
            if (safe > pos) {
                copied += safe - pos;
                checkField(copied, max);
                out.write(buf, pos, safe - pos);
                pos = safe;
            }
            if (!fill()) {
                return false;
            }
        }
    }

    private void checkField(long copied, long max) {
        if (copied > max) {
            throw new PayloadTooLargeException("A multipart text field exceeds " + max + " bytes");
        }
    }

    private int indexOfDelimiter() {
        byte first = delimiter[0];
        int last = lim - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (!ensure(1)) {
                throw truncated();
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append((char) (b & 0xff));
            if (line.length() > MAX_HEADER_BYTES) {
                throw new InvalidInputException("Multipart part headers are too long");
            }
        }
    }

    private boolean endOfLine() throws IOException {
        if (!ensure(1)) {
            throw truncated();
        }
        if (buf[pos] == '\n') {
            pos++;
            return true;
        }
        if (buf[pos] == '\r' && ensure(2) && buf[pos + 1] == '\n') {
            pos += 2;
            return true;
        }
        return false;
    }

    private boolean ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            return false;
        }
        consumed += n;
        if (consumed > maxTotal) {
            throw new PayloadTooLargeException(
                    "Upload exceeds the configured limit of " + maxTotal + " bytes");
        }
        lim += n;
        return true;
    }

    private static InvalidInputException truncated() {
        return new InvalidInputException(
                "Truncated multipart body: it ends before the closing boundary");
    }

    /**
     * A parameter of a header value such as {@code form-data; name="x"; filename="C:\a\b.nii"}.
     * Quoted values are taken verbatim up to the closing quote: backslashes are not escapes, since
     * Slicer sends raw Windows paths.
     */
    static String parameter(String header, String param) {
        int i = 0;
        int n = header.length();
        while (i < n) {
            int semi = header.indexOf(';', i);
            if (semi < 0) {
                return null;
            }
            i = semi + 1;
            while (i < n && header.charAt(i) == ' ') {
                i++;
            }
            int eq = header.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String key = header.substring(i, eq).trim();
            int v = eq + 1;
            String value;
            if (v < n && header.charAt(v) == '"') {
                int end = header.indexOf('"', v + 1);
                // a quote inside the value is only taken as its end if a ';' or the end follows
                while (end >= 0
                        && end + 1 < n
                        && header.substring(end + 1).trim().length() > 0
                        && header.substring(end + 1).trim().charAt(0) != ';') {
                    end = header.indexOf('"', end + 1);
                }
                value = end < 0 ? header.substring(v + 1) : header.substring(v + 1, end);
                i = end < 0 ? n : end + 1;
            } else {
                int end = header.indexOf(';', v);
                value = (end < 0 ? header.substring(v) : header.substring(v, end)).trim();
                i = end < 0 ? n : end;
            }
            if (key.equalsIgnoreCase(param)) {
                return value;
            }
        }
        return null;
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }
    }
}
