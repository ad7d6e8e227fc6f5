package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir Path dir;

    static final Actor ALICE = new Actor("alice", "10.1.2.3");

    @Test
    void eachEventIsOneJsonLineWithWhoWhatWhenAndWhere() throws IOException {
        try (AuditLog log = AuditLog.open(dir, 1 << 20, 2)) {
            log.record(
                    AuditEvent.of("label.saved", ALICE)
                            .with("image", "spleen_10")
                            .with("tag", "final")
                            .with("version", 3)
                            .with("client", null));
            log.record(AuditEvent.of("image.removed", Actor.SERVER).with("image", "x"));
        }
        List<String> lines = Files.readAllLines(dir.resolve("audit.log"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"time\":\"").contains("\"action\":\"label.saved\"");
        List<Map<String, Object>> events = AuditLog.read(dir);
        assertThat(events.get(0))
                .containsEntry("action", "label.saved")
                .containsEntry("user", "alice")
                .containsEntry("address", "10.1.2.3")
                .containsEntry("image", "spleen_10")
                .containsEntry("tag", "final")
                .containsEntry("version", 3L)
                .doesNotContainKey("client");
        assertThat(Instant.parse((String) events.get(0).get("time")))
                .isBeforeOrEqualTo(Instant.now());
        assertThat(events.get(1)).containsEntry("user", "server").containsEntry("image", "x");
    }

    @Test
    void aTornLastLineIsSkippedAndTheLogGoesOnAfterIt() throws IOException {
        try (AuditLog log = AuditLog.open(dir, 1 << 20, 2)) {
            log.record(AuditEvent.of("image.added", ALICE).with("image", "a"));
        }
        Files.writeString(
                dir.resolve("audit.log"),
                "{\"time\":\"2025-01-01T00:00:00Z\",\"action\":\"image.add",
                StandardOpenOption.APPEND); // a crash in the middle of a line
        assertThat(AuditLog.read(dir)).extracting(e -> e.get("image")).containsExactly("a");
        try (AuditLog log = AuditLog.open(dir, 1 << 20, 2)) {
            log.record(AuditEvent.of("image.added", ALICE).with("image", "b"));
        }
        assertThat(AuditLog.read(dir)).extracting(e -> e.get("image")).containsExactly("a", "b");
        assertThat(Files.readAllLines(dir.resolve("audit.log"))).hasSize(3);
    }

    @Test
    void theLogIsRotatedBySizeKeepingTheNewestFiles() throws IOException {
        try (AuditLog log = AuditLog.open(dir, 1024, 2)) {
            for (int i = 0; i < 100; i++) {
                log.record(AuditEvent.of("image.added", ALICE).with("n", i));
            }
        }
        assertThat(dir.resolve("audit.log.1")).exists();
        assertThat(dir.resolve("audit.log.2")).exists();
        assertThat(dir.resolve("audit.log.3")).doesNotExist();
        for (String name : List.of("audit.log", "audit.log.1", "audit.log.2")) {
            assertThat(Files.size(dir.resolve(name))).isLessThanOrEqualTo(1024);
        }
        List<Object> kept = AuditLog.read(dir).stream().map(e -> e.get("n")).toList();
        assertThat(kept).isNotEmpty().endsWith(99L);
        long first = (Long) kept.get(0);
        for (int i = 0; i < kept.size(); i++) {
            assertThat(kept.get(i)).isEqualTo(first + i); // oldest first, none missing
        }
    }
}
