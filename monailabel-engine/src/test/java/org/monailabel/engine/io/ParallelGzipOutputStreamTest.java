package org.monailabel.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParallelGzipOutputStreamTest {
    @ParameterizedTest(name = "level {0}, {1} threads, {2} bytes")
    @CsvSource({
        "1, 3, 3500000",
        "1, 1, 3500000",
        "0, 2, 2097152",
        "6, 2, 1048577",
        "9, 4, 100",
        "1, 2, 0"
    })
    void producesOneGzipMemberThatInflatesToTheInput(int level, int threads, int size)
            throws IOException {
        byte[] input = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            input[i] = (byte) (i % 1000 < 500 ? random.nextInt(16) : i >> 8); // partly compressible
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz =
                new ParallelGzipOutputStream(compressed, level, threads)) {
            gz.write(input, 0, Math.min(size, 12345));
            gz.write(input, Math.min(size, 12345), size - Math.min(size, 12345));
        }
        byte[] bytes = compressed.toByteArray();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            assertThat(in.readAllBytes()).isEqualTo(input);
        }
        if (level > 0 && size > 1000) {
            assertThat(bytes.length).isLessThan(size);
        }
    }
}
