package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.DatastoreStats;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonTrees;

class LocalDatastoreTest {
    /**
     * No watcher, and no content check: these tests store {@link Contents} files under image names.
     */
    static final LocalDatastore.Options NO_WATCH =
            LocalDatastore.Options.defaults().withWatch(false).withContentCheck(false);

    @TempDir Path studies;

    @TempDir Path uploads;

    private Path upload(String name, int key, int size) throws IOException {
        return Contents.write(uploads.resolve(name), key, size);
    }

    @Test
    void newFolderGetsMonaiLabelLayout() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            assertThat(datastore.name()).isEqualTo("new-dataset");
            assertThat(datastore.description()).isEqualTo("New Dataset");
            assertThat(datastore.imageIds()).isEmpty();
        }
        assertThat(studies.resolve("labels/final")).isDirectory();
        assertThat(studies.resolve("labels/original")).isDirectory();
        JsonObject index =
                JsonTrees.parseObject(Files.readString(studies.resolve("datastore_v2.json")));
        assertThat(index.keySet())
                .containsExactly("name", "description", "images_dir", "labels_dir", "objects");
        assertThat(Files.readString(studies.resolve("datastore_v2.json")))
                .contains("\n  \"name\": \"new-dataset\"");
        try (var files = Files.list(studies)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("datastore_v2.json", "labels", ".lock");
        }
    }

    @Test
    void addImageStoresFileAndInfo() throws IOException {
        long before = Instant.now().getEpochSecond();
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            String id =
                    datastore.addImage(
                            "CT chest 2",
                            upload("up1", 1, 100),
                            "C:\\scans\\chest.nii.gz",
                            Map.of("client_id", "user-xyz"));
            assertThat(id).isEqualTo("CT chest 2");
            assertThat(datastore.hasImage(id)).isTrue();
            assertThat(datastore.imageFileName(id)).isEqualTo("CT chest 2.nii.gz");
            assertThat(datastore.imageFile(id)).isEqualTo(studies.resolve("CT chest 2.nii.gz"));
            assertThat(Contents.key(datastore.imageFile(id))).hasValue(1);
            Map<String, Object> info = datastore.imageInfo(id);
            assertThat(info)
                    .containsEntry("client_id", "user-xyz")
                    .containsEntry("name", "CT chest 2.nii.gz");
            assertThat((Long) info.get("ts")).isBetween(before, Instant.now().getEpochSecond());
            assertThat(datastore.labelTags(id)).isEmpty();
        }
        assertThat(Files.readString(studies.resolve("datastore_v2.json")))
                .contains("\"CT chest 2\"");
    }

    @Test
    void everyMethodSurvivesReopen() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of());
            datastore.addImage(
                    "b", upload("b", 2, 10), "b.nrrd", Map.of("k", List.of(1, 2.5, "x")));
            datastore.addImage("c", upload("c", 3, 10), "c.png", Map.of());
            datastore.saveLabel(
                    "a",
                    Datastore.FINAL,
                    upload("la", 4, 10),
                    "a.seg.nrrd",
                    Map.of("label_info", List.of(Map.of("name", "spleen", "idx", 1))));
            datastore.saveLabel(
                    "b",
                    Datastore.ORIGINAL,
                    upload("lb", 5, 10),
                    "b.nii.gz",
                    Map.of("model", "seg"));
            datastore.saveLabel("b", "version_1", upload("lb1", 6, 10), "b.nrrd", Map.of());
            datastore.updateImageInfo("a", Map.of("score", 0.5, "n", 3));
            datastore.updateLabelInfo("a", Datastore.FINAL, Map.of("reviewed", true));
            datastore.recordSampleHandout("a", "random", "user-1");
            datastore.recordSampleHandout("a", "first", "user-2");
            datastore.removeImage("c");
        }
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            assertThat(datastore.imageIds()).containsExactly("a", "b");
            assertThat(datastore.labeledImageIds(Datastore.FINAL)).containsExactly("a");
            assertThat(datastore.unlabeledImageIds(Datastore.FINAL)).containsExactly("b");
            assertThat(datastore.labelTags("b")).containsExactlyInAnyOrder("original", "version_1");
            assertThat(datastore.labelFile("a", Datastore.FINAL))
                    .contains(studies.resolve("labels/final/a.nrrd"));
            assertThat(datastore.labelFile("a", Datastore.ORIGINAL)).isEmpty();
            assertThat(datastore.imageInfo("a")).containsEntry("score", 0.5).containsEntry("n", 3L);
            assertThat(datastore.imageInfo("b")).containsEntry("k", List.of(1L, 2.5, "x"));
            assertThat(datastore.labelInfo("a", Datastore.FINAL).orElseThrow())
                    .containsEntry("reviewed", true)
                    .containsEntry("name", "a.nrrd")
                    .containsEntry("label_info", List.of(Map.of("name", "spleen", "idx", 1L)));
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> strategy =
                    (Map<String, Map<String, Object>>) datastore.imageInfo("a").get("strategy");
            assertThat(strategy).containsOnlyKeys("random", "first");
            assertThat(strategy.get("random"))
                    .containsEntry("client_id", "user-1")
                    .containsKey("ts");
            assertThat(datastore.stats())
                    .isEqualTo(
                            new DatastoreStats(
                                    2, 1, Map.of("final", 1, "original", 1, "version_1", 1)));
            List<TrainingPair> pairs = datastore.trainingPairs(Datastore.FINAL);
            assertThat(pairs).extracting(TrainingPair::imageId).containsExactly("a");
            assertThat(pairs.get(0).label()).isEqualTo(studies.resolve("labels/final/a.nrrd"));
            assertThat(pairs.get(0).image()).isEqualTo(studies.resolve("a.nii.gz"));
            assertThat(studies.resolve("c.png")).doesNotExist();
            Map<String, Object> json = datastore.toJson();
            assertThat(json)
                    .containsOnlyKeys("name", "description", "images_dir", "labels_dir", "objects");
            assertThat(JsonTrees.toJson(json))
                    .isEqualTo(
                            JsonTrees.parse(
                                    Files.readString(studies.resolve("datastore_v2.json"))));
        }
    }

    @Test
    void saveLabelWithAnotherExtensionRemovesTheOldFile() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of());
            datastore.saveLabel("a", "final", upload("l1", 2, 10), "a.nii.gz", Map.of("v", 1));
            datastore.saveLabel("a", "final", upload("l2", 3, 20), "x.seg.nrrd", Map.of("v", 2));
            assertThat(studies.resolve("labels/final/a.nii.gz")).doesNotExist();
            assertThat(Contents.key(studies.resolve("labels/final/a.nrrd"))).hasValue(3);
            assertThat(datastore.labelInfo("a", "final").orElseThrow())
                    .containsEntry("v", 2L)
                    .containsEntry("name", "a.nrrd");
        }
    }

    @Test
    void addImageAgainReplacesFileResetsInfoAndKeepsLabels() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of("old", 1));
            datastore.saveLabel("a", "final", upload("l1", 2, 10), "a.nii.gz", Map.of("v", 1));
            datastore.addImage("a", upload("a2", 7, 30), "a.nrrd", Map.of("new", 2));
            assertThat(datastore.imageInfo("a"))
                    .containsOnlyKeys("new", "ts", "name")
                    .containsEntry("name", "a.nrrd");
            assertThat(studies.resolve("a.nii.gz")).doesNotExist();
            assertThat(Contents.key(datastore.imageFile("a"))).hasValue(7);
            assertThat(datastore.labelInfo("a", "final").orElseThrow()).containsEntry("v", 1L);
        }
    }

    @Test
    void removeLabelDeletesFileAndIgnoresMissingLabels() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of());
            datastore.saveLabel("a", "final", upload("l1", 2, 10), "a.nii.gz", Map.of());
            datastore.removeLabel("a", "final");
            datastore.removeLabel("a", "final");
            datastore.removeLabel("a", "other");
            assertThat(datastore.labelTags("a")).isEmpty();
            assertThat(studies.resolve("labels/final/a.nii.gz")).doesNotExist();
        }
    }

    @Test
    void unknownIdsAreNotFoundWithoutPaths() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            Path label = upload("l", 1, 1);
            assertThat(datastore.hasImage("x")).isFalse();
            assertThatThrownBy(() -> datastore.imageFile("x"))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("Image 'x' not found");
            assertThatThrownBy(() -> datastore.imageInfo("x"))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> datastore.saveLabel("x", "final", label, "x.nii.gz", Map.of()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("Image 'x' not found");
            assertThatThrownBy(() -> datastore.removeImage("x"))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> datastore.updateImageInfo("x", Map.of()))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> datastore.recordSampleHandout("x", "random", "c"))
                    .isInstanceOf(NotFoundException.class);
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of());
            assertThatThrownBy(() -> datastore.updateLabelInfo("a", "final", Map.of()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageNotContaining(studies.toString());
        }
        assertThat(studies.resolve("labels/final/x.nii.gz")).doesNotExist();
    }

    @Test
    void readOnlyDatastoreRefusesChangesAndWritesNothing() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            datastore.addImage("a", upload("a", 1, 10), "a.nii.gz", Map.of());
        }
        Contents.write(studies.resolve("b.nii.gz"), 2, 10);
        String before = Files.readString(studies.resolve("datastore_v2.json"));
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH.withReadOnly(true))) {
            assertThat(datastore.imageIds()).containsExactly("a", "b");
            assertThatThrownBy(() -> datastore.updateImageInfo("a", Map.of("x", 1)))
                    .isInstanceOf(ConflictException.class);
        }
        assertThat(Files.readString(studies.resolve("datastore_v2.json"))).isEqualTo(before);
    }

    @Test
    void imageFileNamesOfTheDatastoreAreRefused() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            Path file = upload("a", 1, 10);
            assertThatThrownBy(() -> datastore.addImage("datastore_v2", file, "x.json", Map.of()))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> datastore.addImage("labels", file, "x", Map.of()))
                    .isInstanceOf(InvalidInputException.class);
            datastore.addImage("a", file, "a.nii.gz", Map.of());
            assertThatThrownBy(() -> datastore.addImage("a.nii", file, "x.gz", Map.of()))
                    .isInstanceOf(ConflictException.class);
        }
        assertThat(
                        JsonTrees.parseObject(
                                        Files.readString(studies.resolve("datastore_v2.json")))
                                .getAsJsonObject("objects")
                                .keySet())
                .containsExactly("a");
    }

    @Test
    void lastHandoutsReadFromTheIndexAgreeWithTheImageInfo() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, NO_WATCH)) {
            for (int i = 0; i < 4; i++) {
                datastore.addImage(
                        "img" + i, upload("up" + i, i, 50), "img" + i + ".nii.gz", Map.of());
            }
            datastore.recordSampleHandout("img0", "random", "alice");
            datastore.recordSampleHandout("img2", "random", "bob");
            datastore.recordSampleHandout("img3", "epistemic", "bob");
            datastore.updateImageInfo(
                    "img1", Map.of("strategy", Map.of("random", Map.of("ts", "not a number"))));

            Map<String, Long> fromIndex = datastore.lastHandouts("random");
            Map<String, Long> fromInfo = new HashMap<>();
            for (String id : datastore.imageIds()) { // the API's portable definition
                if (datastore.imageInfo(id).get("strategy") instanceof Map<?, ?> m
                        && m.get("random") instanceof Map<?, ?> r
                        && r.get("ts") instanceof Number ts) {
                    fromInfo.put(id, ts.longValue());
                }
            }
            assertThat(fromIndex).containsOnlyKeys("img0", "img2").isEqualTo(fromInfo);
            assertThat(datastore.lastHandouts("epistemic")).containsOnlyKeys("img3");
        }
    }
}
