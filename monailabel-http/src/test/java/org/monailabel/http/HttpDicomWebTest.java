package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.datastore.dicom.DicomWebStudies;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.DicomSeries;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Orthanc;
import org.monailabel.testing.Poll;

/**
 * Slicer's flow against a server whose studies are a real Orthanc (with basic authentication) over
 * DICOMweb, holding series written by pydicom ({@code interop/pydicom_write_pacs.py}): next sample,
 * the image on its exact grid (also a gantry-tilted series), infer, {@code output=dicom_seg} read
 * by pydicom onto the image's slices and accepted by Orthanc, the submitted label stored in the
 * PACS as a SEG, {@code /proxy/dicom} answering with the server's credentials. Skipped, saying why,
 * without Orthanc or pydicom (failed in CI).
 */
class HttpDicomWebTest {
    @TempDir static Path root;
    static JsonObject uids;
    static Orthanc orthanc;
    static TestServer server;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        Orthanc.assumeInstalled();
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        Path written = Files.createDirectories(root.resolve("pydicom"));
        NibabelProcess.run(written, "pydicom_write_pacs.py", List.of(written.toString()));
        uids =
                JsonParser.parseString(Files.readString(written.resolve("pacs.json")))
                        .getAsJsonObject();
        orthanc = Orthanc.start(root.resolve("orthanc"), Map.of("monai", "s3cret"));
        for (String series : List.of("ct1", "ct2", "tilted")) {
            orthanc.uploadAll(files(series));
        }
        orthanc.upload(written.resolve("seg1.dcm"));
        // the test app's threshold model labels every voxel above 0
        Path models = Files.createDirectories(root.resolve("work/models/testapp"));
        Files.writeString(models.resolve("threshold.txt"), "0");
        server =
                TestServer.start(
                        root,
                        b ->
                                b.dicomWeb(orthanc.dicomWebUrl())
                                        .conf(
                                                Map.of(
                                                        DicomWebStudies.USERNAME, "monai",
                                                        DicomWebStudies.PASSWORD, "s3cret",
                                                        DicomWebStudies.RETRY_SECONDS, "1")));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (orthanc != null) {
            orthanc.close();
        }
    }

    static List<Path> files(String series) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("pydicom").resolve(series))) {
            return s.sorted().toList();
        }
    }

    static String uid(String name, String key) {
        return uids.getAsJsonObject(name).get(key).getAsString();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Downloads an image and checks it is the series' exact grid and values. */
    static Volume download(String name) throws Exception {
        HttpResponse<byte[]> image =
                server.getBytes("/datastore/image?image=" + q(uid(name, "series")));
        assertThat(image.statusCode()).isEqualTo(200);
        Path file = Files.createTempFile(root, name, ".nii.gz");
        Files.write(file, image.body());
        Volume volume = ImageIo.read(file);
        Volume direct = new DicomSeries().read(files(name));
        assertThat(volume.shape()).isEqualTo(direct.shape());
        assertThat(volume.affine().approximatelyEquals(direct.affine(), 1e-5))
                .as("%s: %s vs %s", name, volume.affine(), direct.affine())
                .isTrue();
        for (long i = 0; i < volume.voxelCount(); i++) {
            assertThat(volume.get(i)).isEqualTo(direct.get(i));
        }
        return volume;
    }

    @Test
    void slicerFlowAgainstAPacs() throws Exception {
        String ct2 = uid("ct2", "series");
        Map<?, ?> stats = (Map<?, ?>) TestServer.json(server.get("/info/")).get("datastore");
        assertThat(stats.get("total")).isEqualTo(3L);
        assertThat(stats.get("completed")).as("ct1 has a SEG in the PACS").isEqualTo(1L);

        Map<String, Object> sample =
                TestServer.json(server.postJson("/activelearning/first", "{}"));
        assertThat(sample.get("id")).isIn(ct2, uid("tilted", "series"));
        Volume image = download("ct2");
        Volume tilted = download("tilted");
        double[] o = tilted.affine().apply(0, 0, 0);
        double[] k = tilted.affine().apply(0, 0, 1);
        assertThat(Math.abs(k[1] - o[1])).as("the tilt kept in the grid").isGreaterThan(0.5);

        // the label as Slicer gets it, and as a DICOM SEG
        HttpResponse<byte[]> label =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=" + q(ct2) + "&output=image",
                        new SlicerMultipart()
                                .field("params", "{\"result_extension\": \".nii.gz\"}"));
        assertThat(label.statusCode()).isEqualTo(200);
        Path labelFile = root.resolve("inferred.nii.gz");
        Files.write(labelFile, label.body());
        Volume inferred = ImageIo.read(labelFile);
        assertThat(inferred.affine().approximatelyEquals(image.affine(), 1e-5)).isTrue();

        HttpResponse<byte[]> seg =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=" + q(ct2) + "&output=dicom_seg",
                        new SlicerMultipart().field("params", "{}"));
        assertThat(seg.statusCode())
                .as(new String(seg.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(seg.headers().firstValue("Content-Type")).hasValue("application/dicom");
        Path segFile = root.resolve("inferred-seg.dcm");
        Files.write(segFile, seg.body());
        JsonObject read = pydicomRead(segFile, "ct2");
        JsonArray voxels = read.getAsJsonArray("labels");
        for (int i = 0; i < voxels.size(); i++) {
            assertThat(voxels.get(i).getAsInt()).as("voxel %d", i).isEqualTo((int) inferred.get(i));
        }
        assertThat(
                        read.getAsJsonArray("segments")
                                .get(0)
                                .getAsJsonObject()
                                .get("label")
                                .getAsString())
                .isEqualTo("organ");
        assertThat(orthanc.upload(segFile).toString()).as("Orthanc stores it").contains("Success");

        // the gantry-tilted series: its SEG's frames land on its own (sheared) slices
        HttpResponse<byte[]> tiltedSeg =
                server.multipart(
                        "POST",
                        "/infer/threshold?image="
                                + q(uid("tilted", "series"))
                                + "&output=dicom_seg",
                        new SlicerMultipart().field("params", "{}"));
        assertThat(tiltedSeg.statusCode())
                .as(new String(tiltedSeg.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        Path tiltedFile = root.resolve("tilted-seg.dcm");
        Files.write(tiltedFile, tiltedSeg.body());
        JsonArray tiltedVoxels = pydicomRead(tiltedFile, "tilted").getAsJsonArray("labels");
        for (int i = 0; i < tiltedVoxels.size(); i++) {
            assertThat(tiltedVoxels.get(i).getAsInt())
                    .as("tilted voxel %d", i)
                    .isEqualTo(tilted.get(i) > 0 ? 1 : 0);
        }

        // Slicer submits a corrected label: saved, and stored in the PACS as a SEG
        Volume corrected = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
        corrected.set(image.index(1, 1, 1), 1);
        corrected.set(image.index(4, 3, 2), 1);
        Path correctedFile = root.resolve("corrected.nii.gz");
        ImageIo.write(corrected, correctedFile, WriteOptions.defaults());
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q(ct2),
                        new SlicerMultipart()
                                .field(
                                        "params",
                                        "{\"label_info\": [{\"name\": \"spleen\", \"idx\": 1}]}")
                                .file("label", "/tmp/slicer/label.nii.gz", correctedFile));
        assertThat(saved.statusCode())
                .as(new String(saved.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        List<String> status = new ArrayList<>();
        Poll.until(
                "the submitted label stored in the PACS",
                Duration.ofSeconds(30),
                () -> {
                    Map<String, Object> info = labelInfo(ct2);
                    Object state = info.get("dicom_store");
                    status.add(String.valueOf(state));
                    return state instanceof Map<?, ?> m && "stored".equals(m.get("status"));
                });
        String storedSeg =
                (String) ((Map<?, ?>) labelInfo(ct2).get("dicom_store")).get("seg_series_uid");

        // through the proxy, without credentials of our own: the server adds its own
        HttpResponse<String> segs =
                server.get(
                        "/proxy/dicom/qido/studies/"
                                + uid("ct2", "study")
                                + "/series?Modality=SEG");
        assertThat(segs.statusCode()).as(segs.body()).isEqualTo(200);
        assertThat(segs.body()).contains(storedSeg);
        HttpResponse<String> studies = server.get("/proxy/dicom/studies");
        assertThat(studies.statusCode()).isEqualTo(200);
        assertThat(studies.body()).contains(uid("ct1", "study")).contains(uid("ct2", "study"));
        HttpResponse<byte[]> instance =
                server.getBytes(
                        "/proxy/dicom/wado/studies/"
                                + uid("ct2", "study")
                                + "/series/"
                                + ct2
                                + "/instances/"
                                + uids.getAsJsonObject("ct2")
                                        .getAsJsonArray("sops")
                                        .get(0)
                                        .getAsString());
        assertThat(instance.statusCode()).isEqualTo(200);
        assertThat(instance.headers().firstValue("Content-Type").orElse(""))
                .startsWith("multipart/related");
    }

    @Test
    void badRequestsAreClearErrorsAndTheServerKeepsServing() throws Exception {
        // not a DICOM image of the datastore
        HttpResponse<byte[]> noImage =
                server.multipart(
                        "POST",
                        "/infer/threshold?output=dicom_seg",
                        new SlicerMultipart().field("params", "{}"));
        assertThat(noImage.statusCode()).isEqualTo(400);
        assertThat(new String(noImage.body(), StandardCharsets.UTF_8)).contains("dicom_seg");
        HttpResponse<byte[]> unknown =
                server.multipart(
                        "POST",
                        "/infer/threshold?image=1.2.3.4&output=dicom_seg",
                        new SlicerMultipart().field("params", "{}"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        // a label not on the image's grid
        Volume wrong =
                Volume.allocate(
                        VoxelType.UINT8,
                        Volume.allocate(
                                        VoxelType.UINT8,
                                        org.monailabel.api.image.Affine.identity(),
                                        2,
                                        2,
                                        2)
                                .affine(),
                        2,
                        2,
                        2);
        Path wrongFile = root.resolve("wrong.nii.gz");
        ImageIo.write(wrong, wrongFile, WriteOptions.defaults());
        HttpResponse<byte[]> refused =
                server.multipart(
                        "PUT",
                        "/datastore/label?image=" + q(uid("tilted", "series")),
                        new SlicerMultipart().file("label", "/tmp/l.nii.gz", wrongFile));
        assertThat(refused.statusCode()).isBetween(400, 499);
        assertThat(server.get("/info/").statusCode()).isEqualTo(200);
    }

    static Map<String, Object> labelInfo(String id) {
        try {
            return TestServer.json(
                    server.get("/datastore/label/info?label=" + q(id) + "&tag=final"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** pydicom places the SEG's frames onto the pydicom-written series ({@code pydicom_seg.py}). */
    static JsonObject pydicomRead(Path seg, String series) throws Exception {
        Path out = root.resolve(series + "-seg-read.json");
        NibabelProcess.run(
                Files.createTempDirectory(root, "py"),
                "pydicom_seg.py",
                List.of(
                        "read",
                        seg.toString(),
                        root.resolve("pydicom").resolve(series).toString(),
                        out.toString()));
        return JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    }
}
