package org.monailabel.engine.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLineFileTest {
    @TempDir Path dir;

    private static JsonObject record(int n) {
        JsonObject json = new JsonObject();
        json.addProperty("n", n);
        return json;
    }

    @Test
    void appendedRecordsAreReadBackInOrder() throws IOException {
        Path file = dir.resolve("sub/log.jsonl");
        try (JsonLineFile log = JsonLineFile.open(file)) {
            log.append(record(1));
            log.append(List.of(record(2), record(3)));
            assertThat(log.size()).isEqualTo(Files.size(file));
        }
        assertThat(Files.readString(file)).isEqualTo("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
        assertThat(JsonLineFile.read(file).records())
                .containsExactly(record(1), record(2), record(3));
    }

    @Test
    void aTornLastLineIsSkippedOnReadingAndEndedOnOpening() throws IOException {
        Path file = dir.resolve("log.jsonl");
        Files.writeString(file, "{\"n\":1}\n{\"n\":2,\"te");
        JsonLineFile.Lines torn = JsonLineFile.read(file);
        assertThat(torn.records()).containsExactly(record(1));
        assertThat(torn.skipped()).isEqualTo(1);

        try (JsonLineFile log = JsonLineFile.open(file)) {
            log.append(record(3));
        }
        JsonLineFile.Lines lines = JsonLineFile.read(file);
        assertThat(lines.records()).containsExactly(record(1), record(3));
        assertThat(lines.skipped()).isEqualTo(1);
        assertThat(Files.readString(file)).endsWith("\"te\n{\"n\":3}\n");
    }

    @Test
    void linesThatAreNotObjectsAreSkippedAndAMissingFileHasNone() throws IOException {
        Path file = dir.resolve("log.jsonl");
        Files.writeString(file, "[1]\n\n{\"n\":1}\n\u0000\u0000\n", StandardOpenOption.CREATE);
        JsonLineFile.Lines lines = JsonLineFile.read(file);
        assertThat(lines.records()).containsExactly(record(1));
        assertThat(lines.skipped()).isEqualTo(2);
        assertThat(JsonLineFile.read(dir.resolve("none")).records()).isEmpty();
    }
}
