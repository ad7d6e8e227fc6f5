package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.testing.Poll;

/**
 * Next sample leases (docs/rest-api.md §5): an image handed to one client is not handed to another
 * within the lease time.
 */
class HttpSampleLeaseTest {
    static void images(Path root, String... ids) throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (String id : ids) {
            TestImages.write(TestImages.image(1), studies.resolve(id + ".nii.gz"));
        }
    }

    static Object next(TestServer server, String clientId) throws Exception {
        String body = clientId == null ? "{}" : "{\"client_id\": \"" + clientId + "\"}";
        return TestServer.json(server.postJson("/activelearning/first", body)).get("id");
    }

    @Test
    void twoClientsAreNeverHandedTheSameImageAndEachGetsItsOwnBack(@TempDir Path root)
            throws Exception {
        images(root, "a", "b", "c");
        try (TestServer server = TestServer.start(root)) {
            assertThat(next(server, "slicer-1")).isEqualTo("a");
            assertThat(next(server, "slicer-2")).as("a is leased to slicer-1").isEqualTo("b");
            assertThat(next(server, "slicer-1")).as("its own lease back").isEqualTo("a");
            assertThat(next(server, null)).as("a client without client_id").isEqualTo("c");
            assertThat(next(server, "slicer-3")).as("everything is leased").isNull();

            // slicer-1 submits a: its lease ends with the final label
            assertThat(
                            HttpLabelHistoryTest.save(
                                            server,
                                            "a",
                                            "final",
                                            Files.readAllBytes(
                                                    TestImages.write(
                                                            TestImages.truth(1),
                                                            root.resolve("l.nii.gz"))))
                                    .statusCode())
                    .isEqualTo(200);
            assertThat(next(server, "slicer-1")).as("a new image: none is free").isNull();
            assertThat(next(server, "slicer-2")).isEqualTo("b");
        }
    }

    @Test
    void aLeaseExpiresAfterTheLeaseTime(@TempDir Path root) throws Exception {
        images(root, "a", "b");
        try (TestServer server = TestServer.start(root, b -> b.conf("sample_lease_seconds", "1"))) {
            assertThat(next(server, "slicer-1")).isEqualTo("a");
            Poll.until(
                    "slicer-1's lease on a to expire",
                    Duration.ofSeconds(20),
                    Duration.ofMillis(200),
                    () -> {
                        try {
                            return "a".equals(next(server, "slicer-2"));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
        }
    }

    @Test
    void aLeaseTimeOfZeroTurnsLeasesOff(@TempDir Path root) throws Exception {
        images(root, "a", "b");
        try (TestServer server = TestServer.start(root, b -> b.conf("sample_lease_seconds", "0"))) {
            assertThat(List.of(next(server, "slicer-1"), next(server, "slicer-2")))
                    .containsExactly("a", "a");
        }
    }
}
