package org.monailabel.engine.io.nrrd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.monailabel.engine.io.InvalidImageException;

/** NRRD headers nobody should trust: each ends in a clear {@link InvalidImageException}. */
class NrrdValidationTest {
    private static final String GOOD =
            "NRRD0004\n"
                    + "type: uchar\n"
                    + "dimension: 3\n"
                    + "space: LPS\n"
                    + "sizes: 2 2 1\n"
                    + "space directions: (1,0,0) (0,1,0) (0,0,1)\n"
                    + "encoding: raw\n"
                    + "space origin: (0,0,0)\n\n";

    @TempDir Path dir;

    private static void assertInvalid(String header, byte[] data, String messagePart) {
        byte[] bytes = NrrdFiles.file(header, data);
        assertThatThrownBy(
                        () -> new NrrdReader().read(new ByteArrayInputStream(bytes), bytes.length))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(messagePart);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "NRRD0004|NRRD0009|first line",
                "type: uchar|type: rgb24|type 'rgb24' is not supported",
                "sizes: 2 2 1|sizes: 2 -2 1|below 1",
                "sizes: 2 2 1|sizes: 2 2|2 values for dimension 3",
                "sizes: 2 2 1|sizes: 2 2 99999999999999999999|not an integer",
                "sizes: 2 2 1|sizes: 100000 100000 100000|more than the limit",
                "dimension: 3|dimension: 0|dimension 0",
                "encoding: raw|encoding: bzip2|encoding 'bzip2' is not supported",
                "(1,0,0) (0,1,0)|(nan,0,0) (0,1,0)|non-finite",
                "(1,0,0) (0,1,0)|(1,0,0) (1,0,0)|singular",
                "(1,0,0) (0,1,0)|(1,0) (0,1,0)|2 values, expected 3",
                "(1,0,0) (0,1,0)|(1,0,0 (0,1,0)|2 entries for dimension 3",
                "space: LPS|space: 3D-left-handed|space '3d-left-handed' is not supported",
                "space origin: (0,0,0)|space origin: (0,0,inf)|value 'inf' is not a number",
                "encoding: raw|encoding: raw\\nline skip: -3|line skip -3",
                "encoding: raw|encoding: raw\\n"
                        + "byte skip: 99|promises 103 bytes but the file holds only 4",
                "encoding: raw|encoding: raw\\ndata file: ../etc/passwd|detached data file",
                "encoding: raw|encoding: raw\\nbogus line|neither a field nor a key/value pair",
                "type: uchar|type: uchar\\ntype: short|appears twice",
            })
    void rejectsBrokenHeaderField(String good, String bad, String message) {
        assertInvalid(
                GOOD.replace(good, bad.replace("\\n", "\n")), new byte[] {1, 2, 3, 4}, message);
    }

    @Test
    void rejectsDataShorterThanDeclared() {
        assertInvalid(GOOD, new byte[] {1, 2, 3}, "promises 4 bytes but the file holds only 3");
    }

    @Test
    void rejectsHeaderWithoutBlankLineOrDataFile() {
        assertInvalid(
                GOOD.substring(0, GOOD.length() - 1),
                new byte[0],
                "does not end with a blank line");
    }

    @Test
    void rejectsEndlessHeaderLine() {
        assertInvalid("NRRD0004\ntype: " + "u".repeat(70_000), new byte[0], "too long");
    }

    @Test
    void rejectsGzipBombBeforeAllocating() throws IOException {
        String header =
                GOOD.replace("sizes: 2 2 1", "sizes: 1000 1000 1000")
                        .replace("encoding: raw", "encoding: gzip");
        assertInvalid(header, NrrdFiles.gzip(new byte[] {0, 0, 0, 0}), "cannot inflate");
    }

    @Test
    void rejectsCorruptGzipData() {
        String header = GOOD.replace("encoding: raw", "encoding: gzip");
        assertInvalid(
                header,
                new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6},
                "gzip");
    }

    @Test
    void rejectsDetachedDataOutsideTheHeaderFolder() throws IOException {
        Path header = dir.resolve("a.nhdr");
        Files.writeString(header, GOOD.replace("\n\n", "\ndata file: ../b.raw\n"));
        assertThatThrownBy(() -> new NrrdReader().read(header))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("inside the header's folder");
    }
}
