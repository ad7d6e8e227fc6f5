package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.ExternalTools;

/**
 * Slicer's flow over a studies folder holding a DICOM series (written by pydicom, {@code
 * interop/pydicom_write_series.py}) at some depth: the series is the next sample under its
 * SeriesInstanceUID, downloads as a NIfTI volume on the series' grid, takes a final label, and
 * cannot be deleted through the API (it comes from the files). Skipped, saying why, without
 * pydicom.
 */
class HttpDicomFolderTest {
    static final String OBLIQUE = "1.2.826.0.1.3680043.8.498.2.1";

    @TempDir static Path root;
    static TestServer server;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        Path written = Files.createDirectories(root.resolve("pydicom"));
        NibabelProcess.run(written, "pydicom_write_series.py", List.of(written.toString()));
        Path series = Files.createDirectories(root.resolve("studies/patient-a/ct"));
        try (Stream<Path> files = Files.list(written.resolve("oblique"))) {
            for (Path f : files.toList()) {
                Files.copy(f, series.resolve(f.getFileName()));
            }
        }
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void nextSampleDownloadAndSubmitWorkOnTheSeries() throws Exception {
        HttpResponse<String> sample = server.postJson("/activelearning/first", "{}");
        assertThat(TestServer.json(sample).get("id")).as(sample.body()).isEqualTo(OBLIQUE);

        HttpResponse<byte[]> image = server.getBytes("/datastore/image?image=" + q(OBLIQUE));
        assertThat(image.statusCode()).isEqualTo(200);
        Path downloaded = root.resolve("downloaded.nii.gz");
        Files.write(downloaded, image.body());
        Volume volume = ImageIo.read(downloaded);
        assertThat(volume.shape()).containsExactly(4, 3, 5);
        Volume direct =
                new org.monailabel.engine.io.dicom.DicomSeries()
                        .read(sortedFiles(root.resolve("studies/patient-a/ct")));
        assertThat(volume.affine().approximatelyEquals(direct.affine(), 1e-5)).isTrue();
        for (long i = 0; i < volume.voxelCount(); i++) {
            assertThat(volume.get(i)).isEqualTo(direct.get(i));
        }

        Volume label = Volume.allocate(VoxelType.UINT8, volume.affine(), volume.shape());
        label.set(7, 1);
        Path labelFile = root.resolve("label.nii.gz");
        ImageIo.write(label, labelFile, WriteOptions.defaults());
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q(OBLIQUE),
                        new SlicerMultipart()
                                .field("params", "{\"label_info\": [{\"name\": \"spleen\"}]}")
                                .file("label", "/tmp/slicer/label.nii.gz", labelFile));
        assertThat(saved.statusCode())
                .as(new String(saved.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        HttpResponse<byte[]> back =
                server.getBytes("/datastore/label?label=" + q(OBLIQUE) + "&tag=final");
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo(Files.readAllBytes(labelFile));

        Map<?, ?> stats = (Map<?, ?>) TestServer.json(server.get("/info/")).get("datastore");
        assertThat(stats.get("total")).isEqualTo(1L);
        assertThat(stats.get("completed")).isEqualTo(1L);

        HttpResponse<String> delete = server.delete("/datastore/image?id=" + q(OBLIQUE));
        assertThat(delete.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(delete).get("detail").toString()).contains("DICOM");
        assertThat(server.get("/datastore/image?image=" + q(OBLIQUE)).statusCode()).isEqualTo(200);
    }

    private static List<Path> sortedFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
