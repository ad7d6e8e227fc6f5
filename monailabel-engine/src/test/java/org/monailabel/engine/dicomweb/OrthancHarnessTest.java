package org.monailabel.engine.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Orthanc;

/**
 * The {@link Orthanc} test harness itself: it starts a PACS that stores what is uploaded, keeps it
 * across a restart on the same port, and with registered users refuses requests without their
 * credentials. Skipped, saying why, without Orthanc (failed under CI) or pydicom.
 */
class OrthancHarnessTest {
    @TempDir static Path written;
    @TempDir Path dir;

    @BeforeAll
    static void writeInstances() throws IOException, InterruptedException {
        Orthanc.assumeInstalled();
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(written, "pydicom_write_pacs.py", List.of(written.toString()));
    }

    @Test
    void storesUploadsAndKeepsThemAcrossARestartOnTheSamePort() throws IOException {
        try (Orthanc orthanc = Orthanc.start(dir)) {
            assertThat(orthanc.dicomWebUrl()).isEqualTo(orthanc.baseUrl() + "/dicom-web");
            assertThat(orthanc.upload(written.resolve("stow.dcm")).get("Status").getAsString())
                    .isEqualTo("Success");
            assertThat(orthanc.instanceCount()).isEqualTo(1);
            int port = orthanc.port();

            orthanc.stop();
            assertThat(orthanc.isRunning()).isFalse();
            orthanc.restart();
            assertThat(orthanc.port()).isEqualTo(port);
            assertThat(orthanc.instanceCount()).isEqualTo(1);
        }
    }

    @Test
    void withRegisteredUsersRefusesRequestsWithoutCredentials() throws Exception {
        try (Orthanc orthanc = Orthanc.start(dir, Map.of("alice", "s3cret"))) {
            orthanc.upload(written.resolve("stow.dcm")); // the harness authenticates
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<Void> anonymous =
                    http.send(
                            HttpRequest.newBuilder(URI.create(orthanc.dicomWebUrl() + "/studies"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            assertThat(anonymous.statusCode()).isEqualTo(401);
        }
    }
}
