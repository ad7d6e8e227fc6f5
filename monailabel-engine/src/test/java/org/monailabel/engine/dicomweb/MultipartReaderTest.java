package org.monailabel.engine.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.engine.dicomweb.MultipartReader.MalformedMultipartException;

/**
 * {@link MultipartReader} on bytes written here by hand as RFC 2046 describes them: boundaries
 * quoted or not, preamble and epilogue, transport padding, parts larger than its buffer read
 * through a stream that hands out a few bytes at a time, content that looks like a boundary, and
 * bodies cut short, which must be refused.
 */
class MultipartReaderTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    @Test
    void readsTheBoundaryParameterQuotedOrNot() throws IOException {
        assertThat(
                        MultipartReader.boundary(
                                "multipart/related; type=\"application/dicom\"; boundary=abc-1"))
                .isEqualTo("abc-1");
        assertThat(
                        MultipartReader.boundary(
                                "Multipart/Related;boundary=\"a"
                                        + " b;c=\\\"d\";type=application/dicom"))
                .isEqualTo("a b;c=\"d");
        assertThat(MultipartReader.boundary("multipart/related; BOUNDARY = xyz ; type=x"))
                .isEqualTo("xyz");
        assertThatThrownBy(() -> MultipartReader.boundary("application/dicom+json"))
                .isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("expected a multipart");
        assertThatThrownBy(() -> MultipartReader.boundary("multipart/related; type=x"))
                .isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("without a boundary");
        assertThatThrownBy(() -> MultipartReader.boundary(null))
                .isInstanceOf(MalformedMultipartException.class);
    }

    @Test
    void readsPartsBetweenAPreambleAndAnEpilogue() throws IOException {
        String body =
                "This is the preamble, to be ignored.\r\n"
                        + "--b0\r\n"
                        + "Content-Type: application/dicom\r\n"
                        + "Content-Length: 3\r\n" // a lie: the part ends at its delimiter
                        + "\r\n"
                        + "first part\r\nwith a line break"
                        + "\r\n--b0   \r\n" // transport padding after the delimiter
                        + "content-type: Application/DICOM; charset=x\n" // a bare LF
                        + "\n"
                        + "second"
                        + "\r\n--b0--\r\n"
                        + "This is the epilogue, also ignored. --b0\r\n";
        List<String[]> parts = readAll(bytes(body), "b0", 1);
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)[0]).isEqualTo("application/dicom");
        assertThat(parts.get(0)[1]).isEqualTo("first part\r\nwith a line break");
        assertThat(parts.get(1)[0]).isEqualTo("application/dicom");
        assertThat(parts.get(1)[1]).isEqualTo("second");
    }

    @Test
    void aBodyMayStartWithTheFirstDelimiterAndPartsMayBeEmpty() throws IOException {
        List<String[]> parts = readAll(bytes("--q\r\n\r\n\r\n--q\r\n\r\nx\r\n--q--"), "q", 3);
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)[1]).isEmpty();
        assertThat(parts.get(0)[0]).isEmpty(); // no Content-Type
        assertThat(parts.get(1)[1]).isEqualTo("x");
    }

    @Test
    void contentThatOnlyLooksLikeABoundaryIsContent() throws IOException {
        String content = "a\r\n--bnd-not-it\r\n--bndX\r\n-bnd\r\n--bn";
        List<String[]> parts =
                readAll(bytes("--bnd\r\n\r\n" + content + "\r\n--bnd--\r\n"), "bnd", 2);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0)[1]).isEqualTo(content);
    }

    @Test
    void streamsPartsLargerThanItsBufferThroughSmallReads() throws IOException {
        Random random = new Random(7);
        byte[][] payloads = {new byte[200_000], new byte[MultipartReader.BUFFER - 3], new byte[1]};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String boundary = "8a1f2c3d-boundary";
        for (byte[] p : payloads) {
            random.nextBytes(p);
            body.writeBytes(bytes("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n"));
            body.writeBytes(p);
            body.writeBytes(bytes("\r\n"));
        }
        body.writeBytes(bytes("--" + boundary + "--"));
        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            MultipartReader reader =
                    new MultipartReader(new Trickle(body.toByteArray(), chunk), boundary, NO_LIMIT);
            for (byte[] expected : payloads) {
                MultipartReader.Part part = reader.next();
                assertThat(part)
                        .as("part of %d bytes, reads of %d", expected.length, chunk)
                        .isNotNull();
                assertThat(readInSmallSteps(part.body(), chunk % 13 + 1)).isEqualTo(expected);
            }
            assertThat(reader.next()).isNull();
            assertThat(reader.parts()).isEqualTo(3);
        }
    }

    @Test
    void skipsWhatIsLeftOfAPartNotRead() throws IOException {
        MultipartReader reader =
                new MultipartReader(
                        new ByteArrayInputStream(
                                bytes("--z\r\n\r\nunread content\r\n--z\r\n\r\nnext\r\n--z--")),
                        "z",
                        NO_LIMIT);
        assertThat(reader.next().body().read()).isEqualTo('u');
        assertThat(new String(reader.next().body().readAllBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("next");
        assertThat(reader.next()).isNull();
    }

    @Test
    void refusesABodyCutShort() {
        String whole = "--cut\r\nContent-Type: application/dicom\r\n\r\n0123456789\r\n--cut--\r\n";
        // cut anywhere before the closing delimiter's dashes: in the first delimiter, the headers,
        // the content or the closing delimiter
        for (int end : new int[] {3, 10, 30, 45, 50, 53, 55}) {
            byte[] truncated = bytes(whole.substring(0, end));
            assertThatThrownBy(() -> readAll(truncated, "cut", 5))
                    .as("body cut after %d bytes", end)
                    .isInstanceOf(MalformedMultipartException.class)
                    .hasMessageMatching(".*(truncated|no boundary).*");
        }
    }

    @Test
    void refusesABodyWithoutItsBoundaryAndOverlongParts() throws IOException {
        assertThatThrownBy(() -> readAll(bytes("<html>Service Unavailable</html>"), "b", 4))
                .isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("no boundary '--b'");
        assertThatThrownBy(
                        () ->
                                new MultipartReader(
                                                new ByteArrayInputStream(
                                                        bytes("--b\r\n\r\n0123456789\r\n--b--")),
                                                "b",
                                                5)
                                        .next()
                                        .body()
                                        .readAllBytes())
                .isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("longer than 5 bytes");
        assertThatThrownBy(() -> new MultipartReader(InputStream.nullInputStream(), "", NO_LIMIT))
                .isInstanceOf(MalformedMultipartException.class);
        assertThatThrownBy(() -> readAll(bytes("--b\r\nno colon here\r\n\r\nx\r\n--b--"), "b", 4))
                .isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("without a name");
        // "--bjunk" is no delimiter of boundary "b": all before "--b--" is preamble, no part
        assertThat(readAll(bytes("--bjunk\r\n\r\nx\r\n--b--"), "b", 4)).isEmpty();
    }

    /** Each part's media type and body text. */
    private static List<String[]> readAll(byte[] body, String boundary, int chunk)
            throws IOException {
        MultipartReader reader = new MultipartReader(new Trickle(body, chunk), boundary, NO_LIMIT);
        List<String[]> parts = new ArrayList<>();
        for (MultipartReader.Part p = reader.next(); p != null; p = reader.next()) {
            parts.add(
                    new String[] {
                        p.mediaType(),
                        new String(readInSmallSteps(p.body(), chunk), StandardCharsets.ISO_8859_1)
                    });
        }
        return parts;
    }

    /** Reads a stream to its end asking for at most {@code step} bytes at a time. */
    private static byte[] readInSmallSteps(InputStream in, int step) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[step];
        for (int n = in.read(b, 0, step); n >= 0; n = in.read(b, 0, step)) {
            out.write(b, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Hands out at most {@code chunk} bytes per read, as a network stream may. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        Trickle(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
