package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint with bad input: missing parameters, unknown ids, traversal ids and tags, wrong
 * content types, truncated multipart, an oversize upload, a corrupt image. Each time a JSON {@code
 * detail} with a 4xx, nothing stored, and the server still serving. This server sits behind the
 * path prefix {@code /monai} and accepts uploads up to 1 MiB.
 */
class HttpBadInputTest {
    @TempDir static Path root;

    static TestServer server;
    static byte[] image;
    static byte[] label;
    static List<String> filesBefore;

    @BeforeAll
    static void start() throws IOException {
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("img1.nii.gz"));
        server = TestServer.start(root, b -> b.rootPath("/monai").maxUploadBytes(1024 * 1024));
        image = Files.readAllBytes(studies.resolve("img1.nii.gz"));
        label =
                Files.readAllBytes(
                        TestImages.write(TestImages.truth(1), root.resolve("label.nii.gz")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Files of the studies folder that a refused request must not change. */
    static List<String> studyFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(server.studies)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> server.studies.relativize(p).toString())
                    .filter(n -> !n.startsWith(".") && !n.equals("datastore_v2.json"))
                    .sorted()
                    .toList();
        }
    }

    @AfterEach
    void stillServingAndNothingStored() throws Exception {
        assertThat(server.get("/monai/info/").statusCode()).isEqualTo(200);
        assertThat(studyFiles()).containsExactly("img1.nii.gz");
        assertThat(server.server.datastore().imageIds()).containsExactly("img1");
        assertThat(server.server.datastore().labelTags("img1")).isEmpty();
        assertThat(Files.exists(root.resolve("outside.nii.gz"))).isFalse();
        try (Stream<Path> uploads = Files.list(root.resolve("work").resolve("uploads"))) {
            assertThat(uploads).isEmpty();
        }
    }

    static void assertError(HttpResponse<?> response, int status, String detailPart) {
        String body =
                response.body() instanceof byte[] b
                        ? new String(b, StandardCharsets.UTF_8)
                        : String.valueOf(response.body());
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(TestServer.json(response).get("detail").toString())
                .as(body)
                .containsIgnoringCase(detailPart);
    }

    static Stream<Object[]> badGets() {
        return Stream.of(
                new Object[] {"/monai/datastore/image", 400, "image"},
                new Object[] {"/monai/datastore/image?image=nope", 404, "not found"},
                new Object[] {
                    "/monai/datastore/image?image=..%2F..%2Fetc%2Fpasswd", 400, "must not"
                },
                new Object[] {
                    "/monai/datastore/image?image=img1&check_sum=SHA256:00", 404, "checksum"
                },
                new Object[] {
                    "/monai/datastore/image?image=img1&check_sum=CRC:00", 400, "algorithm"
                },
                new Object[] {"/monai/datastore/label?label=img1&tag=final", 404, "not found"},
                new Object[] {"/monai/datastore/label?label=img1&tag=..%2F..", 400, "tag"},
                new Object[] {"/monai/datastore/label?tag=final", 400, "label"},
                new Object[] {"/monai/datastore/?output=truncated", 400, "output"},
                new Object[] {"/monai/datastore/image/info?image=a%2Fb", 400, "must not"},
                new Object[] {"/monai/session/not-a-uuid", 404, "not found"},
                new Object[] {
                    "/monai/session/6f1c2b1e-0000-4000-8000-000000000000", 404, "not found"
                },
                new Object[] {"/monai/model/nope", 404, "not found"},
                new Object[] {"/monai/model/threshold", 404, "Model File NOT Found"},
                new Object[] {"/monai/train/", 404, "No Train Tasks"},
                new Object[] {"/monai/scoring/?check_if_running=true", 404, "Running"},
                new Object[] {"/monai/batch/infer?all=true", 404, "No Batch"},
                new Object[] {"/monai/train/?check_if_running=maybe", 400, "true or false"},
                new Object[] {"/monai/no/such/endpoint", 404, "No endpoint"});
    }

    @ParameterizedTest
    @MethodSource("badGets")
    void badGetsAreJsonErrors(String path, int status, String detail) throws Exception {
        assertError(server.get(path), status, detail);
    }

    @Test
    void unknownStrategyModelTrainerAndScoringAre404() throws Exception {
        assertError(
                server.postJson("/monai/activelearning/nope", "{}"),
                404,
                "Strategy 'nope' not found");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/nope?image=img1",
                        new SlicerMultipart().field("params", "{}")),
                404,
                "Model 'nope' not found");
        assertError(server.postJson("/monai/train/nope", "{}"), 404, "Trainer 'nope' not found");
        assertError(server.postJson("/monai/scoring/nope", "{}"), 404, "not found");
        assertError(server.postJson("/monai/batch/infer/nope", "{}"), 404, "not found");
    }

    @Test
    void wrongBodiesAreRefused() throws Exception {
        assertError(server.postJson("/monai/activelearning/first", "[1, 2]"), 400, "JSON object");
        assertError(server.postJson("/monai/activelearning/first", "{not json"), 400, "JSON");
        assertError(
                server.send(
                        HttpRequest.newBuilder(server.uri("/monai/activelearning/first"))
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))),
                400,
                "JSON");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/threshold?image=img1",
                        new SlicerMultipart().field("params", "{\"result_extension\": \".png\"}")),
                400,
                "result_extension");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/threshold?image=img1",
                        new SlicerMultipart().field("params", "not json")),
                400,
                "params");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/threshold?image=img1&output=dicom_seg",
                        new SlicerMultipart().field("params", "{}")),
                400,
                "dicom_seg");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/threshold",
                        new SlicerMultipart().field("params", "{}")),
                400,
                "Neither image");
        assertError(
                server.multipart(
                        "POST",
                        "/monai/infer/threshold?image=nope",
                        new SlicerMultipart().field("params", "{}")),
                404,
                "not found");
    }

    @Test
    void imageUploadsWithBadIdsTypesOrContentStoreNothing() throws Exception {
        SlicerMultipart good =
                new SlicerMultipart().field("params", "{}").file("file", "/tmp/x/up.nii.gz", image);
        assertError(
                server.multipart("PUT", "/monai/datastore/?image=..%2F..%2Foutside", good),
                400,
                "must not");
        assertError(
                server.multipart("PUT", "/monai/datastore/?image=.hidden", good), 400, "must not");
        assertError(
                server.multipart("PUT", "/monai/datastore/?image=a%5Cb", good), 400, "must not");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=x",
                        new SlicerMultipart().field("params", "{}")),
                400,
                "'file'");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=x",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file(
                                        "file",
                                        "corrupt.nii.gz",
                                        "not a nifti at all".getBytes(StandardCharsets.UTF_8))),
                400,
                "NIfTI");
        byte[] truncated = Arrays.copyOf(image, image.length / 2);
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=x",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file("file", "half.nii.gz", truncated)),
                400,
                "not a valid NIfTI");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=x",
                        new SlicerMultipart().field("params", "{}").file("file", "x.nrrd", image)),
                400,
                "NRRD");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=x",
                        new SlicerMultipart().field("params", "{}").file("file", "x.dcm", image)),
                400,
                "DICOM");
        assertError(
                server.send(
                        HttpRequest.newBuilder(server.uri("/monai/datastore/?image=x"))
                                .header("Content-Type", "application/octet-stream")
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(image))),
                400,
                "multipart/form-data");
    }

    @Test
    void labelSavesWithBadTagsImagesOrContentStoreNothing() throws Exception {
        SlicerMultipart good =
                new SlicerMultipart().field("params", "{}").file("label", "/tmp/l.nii.gz", label);
        assertError(
                server.multipart("PUT", "/monai/datastore/label?image=img1&tag=..%2F..%2F..", good),
                400,
                "tag");
        assertError(
                server.multipart("PUT", "/monai/datastore/label?image=img1&tag=a%2Fb", good),
                400,
                "tag");
        assertError(
                server.multipart("PUT", "/monai/datastore/label?image=nope", good),
                404,
                "not found");
        assertError(
                server.multipart("PUT", "/monai/datastore/label?image=..%2Fimg1", good),
                400,
                "must not");
        assertError(server.multipart("PUT", "/monai/datastore/label", good), 400, "'image'");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/label?image=img1",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file("wrong_name", "/tmp/l.nii.gz", label)),
                400,
                "'label'");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/label?image=img1",
                        new SlicerMultipart()
                                .field("params", "{\"label_info\": [")
                                .file("label", "/tmp/l.nii.gz", label)),
                400,
                "params");
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/label?image=img1",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file("label", "/tmp/l.nii.gz", new byte[] {31, -117, 8, 0})),
                400,
                "NIfTI");
    }

    @Test
    void truncatedMultipartIsRefused() throws Exception {
        byte[] whole =
                new SlicerMultipart()
                        .field("params", "{}")
                        .file("label", "/tmp/l.nii.gz", label)
                        .bytes();
        byte[] cut = Arrays.copyOf(whole, whole.length - 60); // ends inside the file part
        HttpResponse<String> response =
                server.send(
                        HttpRequest.newBuilder(server.uri("/monai/datastore/label?image=img1"))
                                .header("Content-Type", new SlicerMultipart().contentType())
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(cut)));
        assertError(response, 400, "Truncated multipart");
        HttpResponse<String> noBoundary =
                server.send(
                        HttpRequest.newBuilder(server.uri("/monai/datastore/label?image=img1"))
                                .header("Content-Type", "multipart/form-data")
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(whole)));
        assertError(noBoundary, 400, "boundary");
    }

    @Test
    void oversizeUploadIs413() throws Exception {
        byte[] big = new byte[1024 * 1024 + 100];
        assertError(
                server.multipart(
                        "PUT",
                        "/monai/datastore/?image=big",
                        new SlicerMultipart()
                                .field("params", "{}")
                                .file("file", "big.nii.gz", big)),
                413,
                "limit");
        assertError(
                server.postJson(
                        "/monai/activelearning/first",
                        "{\"x\": \"" + "a".repeat(9 * 1024 * 1024) + "\"}"),
                413,
                "limit");
    }

    @Test
    void wrongMethodsAreJsonErrors() throws Exception {
        HttpResponse<String> response =
                server.send(HttpRequest.newBuilder(server.uri("/monai/info/")).DELETE());
        assertThat(response.statusCode()).isBetween(400, 405);
        assertThat(TestServer.json(response)).containsKey("detail");
        assertError(server.postJson("/monai/auth/token", "{}"), 404, "not enabled");
    }

    @Test
    void multipartQuirksOfRealClientsAreAccepted() throws Exception {
        // QuPath: decimal boundary, files first, no CRLF after the closing boundary; the label is
        // then removed again so that nothing stays stored
        HttpResponse<byte[]> saved =
                server.multipart(
                        "PUT",
                        "/monai/datastore/label?image=img1&tag=qp",
                        new SlicerMultipart()
                                .quPath()
                                .file("label", "C:\\data\\l.nii.gz", label)
                                .field("params", "{}"));
        assertThat(saved.statusCode())
                .as(new String(saved.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(server.server.datastore().labelFile("img1", "qp")).isPresent();
        assertThat(TestServer.json(server.delete("/monai/datastore/label?id=img1&tag=qp")))
                .isEqualTo(Map.of());
        assertThat(server.server.datastore().labelFile("img1", "qp")).isEmpty();
        Files.deleteIfExists(server.studies.resolve("labels").resolve("qp").resolve("img1.nii.gz"));
        try (Stream<Path> s = Files.list(server.studies.resolve("labels").resolve("qp"))) {
            assertThat(s).isEmpty();
        }
        Files.delete(server.studies.resolve("labels").resolve("qp"));
    }
}
