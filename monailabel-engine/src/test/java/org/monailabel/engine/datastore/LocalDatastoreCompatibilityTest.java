package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.json.JsonTrees;

/**
 * Opens a folder in MONAI Label's format with what its index may hold: a hand-written {@code
 * datastore_v2.json} ({@code src/test/resources/datastore/monai}, see its README) with unknown keys
 * at every level, number texts that must survive verbatim, missing files. That MONAI Label's own
 * code and this server read each other's folders is {@link MonaiLabelDatastoreInteropTest}.
 */
class LocalDatastoreCompatibilityTest {
    @TempDir Path studies;

    JsonObject fixture;

    @BeforeEach
    void writeMonaiLabelFolder() throws IOException {
        String text;
        try (InputStream in =
                getClass().getResourceAsStream("/datastore/monai/datastore_v2.json")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        fixture = JsonTrees.parseObject(text);
        Files.writeString(studies.resolve("datastore_v2.json"), text);
        Contents.write(studies.resolve("spleen_10.nii.gz"), 1, 10);
        Contents.write(studies.resolve("slice_3.dcm"), 2, 10);
        Contents.write(studies.resolve("spleen_12.nii.gz"), 3, 10);
        Contents.write(studies.resolve("CT chest 2.nii.gz"), 4, 10); // not indexed
        Contents.write(studies.resolve(".hidden.nii.gz"), 5, 10); // hidden: ignored
        Contents.write(studies.resolve("notes.txt"), 6, 10); // not a recognised extension
        Contents.write(studies.resolve("labels/final/spleen_10.seg.nrrd"), 7, 10);
        Contents.write(studies.resolve("labels/original/spleen_10.nii.gz"), 8, 10);
        Contents.write(
                studies.resolve("labels/version_1/spleen_10.nrrd"), 9, 10); // label not indexed
        Contents.write(studies.resolve("labels/final/orphan.nii.gz"), 10, 10); // no such image
    }

    @Test
    void reconcilesAndPreservesUnknownKeysVerbatim() throws IOException {
        long before = Instant.now().getEpochSecond();
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.name()).isEqualTo("spleen");
            assertThat(datastore.imageIds())
                    .containsExactly("CT chest 2", "slice_3", "spleen_10", "spleen_12");
            assertThat(datastore.imageFileName("slice_3")).isEqualTo("slice_3.dcm");
            assertThat(datastore.labelFile("spleen_10", "final"))
                    .contains(studies.resolve("labels/final/spleen_10.seg.nrrd"));
            assertThat(datastore.labelTags("spleen_10"))
                    .containsExactlyInAnyOrder("final", "original", "version_1");
            assertThat(datastore.labelTags("spleen_12")).isEmpty();
            assertThat(datastore.imageInfo("spleen_10"))
                    .containsEntry("ts", 1733700000L)
                    .containsEntry(
                            "checksum",
                            "SHA256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        }
        String written = Files.readString(studies.resolve("datastore_v2.json"));
        JsonObject actual = JsonTrees.parseObject(written);

        JsonObject expected = fixture.deepCopy();
        JsonObject objects = expected.getAsJsonObject("objects");
        objects.remove("gone_1");
        objects.getAsJsonObject("spleen_12").getAsJsonObject("labels").remove("final");
        JsonObject added = actual.getAsJsonObject("objects").getAsJsonObject("CT chest 2");
        long ts = added.getAsJsonObject("image").getAsJsonObject("info").get("ts").getAsLong();
        assertThat(ts).isBetween(before, Instant.now().getEpochSecond());
        objects.add(
                "CT chest 2",
                JsonTrees.toJson(
                        Map.of(
                                "image",
                                Map.of(
                                        "ext",
                                        ".nii.gz",
                                        "info",
                                        Map.of("ts", ts, "name", "CT chest 2.nii.gz")),
                                "labels",
                                Map.of())));
        JsonObject version1 =
                actual.getAsJsonObject("objects")
                        .getAsJsonObject("spleen_10")
                        .getAsJsonObject("labels")
                        .getAsJsonObject("version_1");
        objects.getAsJsonObject("spleen_10")
                .getAsJsonObject("labels")
                .add(
                        "version_1",
                        JsonTrees.toJson(
                                Map.of(
                                        "ext",
                                        ".nrrd",
                                        "info",
                                        Map.of(
                                                "ts",
                                                version1.getAsJsonObject("info")
                                                        .get("ts")
                                                        .getAsLong(),
                                                "name",
                                                "spleen_10.nrrd"))));
        assertThat(actual).isEqualTo(expected);

        // number texts survive exactly, not just numerically
        assertThat(written)
                .contains(
                        "\"ts\": 1733700000,",
                        "\"entropy\": 0.250",
                        "\"big\": 12345678901234567890",
                        "\"tiny\": 1e-7",
                        "2.50",
                        "\"client_id\": null");
        assertThat(written).startsWith("{\n  \"name\": \"spleen\",\n");
    }

    @Test
    void apiMapsConvertNumbersAtTheBoundary() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> epistemic =
                    (Map<String, Object>) datastore.imageInfo("spleen_10").get("epistemic");
            assertThat(epistemic)
                    .containsEntry("entropy", 0.25)
                    .containsEntry("ts", 1733740500L)
                    .containsEntry("tiny", 1e-7);
            datastore.updateImageInfo("spleen_10", Map.of("reviewed", true));
        }
        String written = Files.readString(studies.resolve("datastore_v2.json"));
        assertThat(written)
                .contains(
                        "\"entropy\": 0.250",
                        "\"big\": 12345678901234567890",
                        "\"reviewed\": true");
    }

    @Test
    void consistentFolderIsNotRewritten() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageIds()).hasSize(4);
        }
        // now consistent: write it the way another tool might (compact) and check we leave it alone
        String compact =
                JsonTrees.toCompactString(
                        JsonTrees.parse(Files.readString(studies.resolve("datastore_v2.json"))));
        Files.writeString(studies.resolve("datastore_v2.json"), compact);
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageIds()).hasSize(4);
        }
        assertThat(Files.readString(studies.resolve("datastore_v2.json"))).isEqualTo(compact);
        try (var files = Files.list(studies)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(
                            name ->
                                    name.startsWith(".datastore_v2.journal")
                                            || name.startsWith(".monailabel-tmp"));
        }
    }
}
