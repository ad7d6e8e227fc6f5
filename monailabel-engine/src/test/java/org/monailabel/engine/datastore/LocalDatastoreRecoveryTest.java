package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.json.JsonTrees;

/** What the datastore finds after crashes and outside damage. */
class LocalDatastoreRecoveryTest {
    @TempDir Path studies;

    @TempDir Path uploads;

    @Test
    void corruptIndexIsMovedAsideAndRebuiltFromFiles() throws IOException {
        Contents.write(studies.resolve("a.nii.gz"), 1, 10);
        Contents.write(studies.resolve("labels/final/a.nii.gz"), 2, 10);
        Files.writeString(
                studies.resolve("datastore_v2.json"),
                "{\"name\": \"x\", \"objects\": {\"a\": {\"ima");
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageIds()).containsExactly("a");
            assertThat(datastore.labeledImageIds("final")).containsExactly("a");
        }
        try (Stream<Path> files = Files.list(studies)) {
            List<Path> aside =
                    files.filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .startsWith("datastore_v2.json.corrupt-"))
                            .toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readString(aside.get(0))).startsWith("{\"name\": \"x\"");
        }
        assertThat(
                        JsonTrees.parseObject(
                                        Files.readString(studies.resolve("datastore_v2.json")))
                                .getAsJsonObject("objects")
                                .keySet())
                .containsExactly("a");
    }

    @Test
    void journalIsReplayedAndATornLastRecordIgnored() throws IOException {
        Path file = Contents.write(uploads.resolve("f"), 1, 10);
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            datastore.addImage("a", file, "a.nii.gz", Map.of());
        }
        String snapshot = Files.readString(studies.resolve("datastore_v2.json"));
        // simulate a crash: changes only in the journal, the snapshot is older, the last line is
        // torn
        try (LocalDatastore datastore =
                LocalDatastore.open(
                        studies,
                        LocalDatastoreTest.NO_WATCH.withSnapshotDelay(Duration.ofHours(1)))) {
            datastore.updateImageInfo("a", Map.of("k", 1));
            datastore.saveLabel("a", "final", file, "a.nii.gz", Map.of());
            Path segment;
            try (Stream<Path> files = Files.list(studies)) {
                segment =
                        files.filter(p -> p.getFileName().toString().startsWith(Journal.PREFIX))
                                .findFirst()
                                .orElseThrow();
            }
            Path copy = uploads.resolve("segment");
            Files.copy(segment, copy);
            Files.writeString(
                    copy,
                    "999:0badf00d:{\"op\":\"remove\",\"id\":\"a\"",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            Files.copy(studies.resolve("datastore_v2.json"), uploads.resolve("snapshot"));
            datastore.close();
            Files.copy(copy, segment);
            Files.writeString(studies.resolve("datastore_v2.json"), snapshot);
        }
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageInfo("a")).containsEntry("k", 1L);
            assertThat(datastore.labelTags("a")).containsExactly("final");
        }
        try (Stream<Path> files = Files.list(studies)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(Journal.PREFIX));
        }
    }

    @Test
    void leftoverTemporaryFilesAndHalfRemovedImagesAreHealed() throws IOException {
        Path file = Contents.write(uploads.resolve("f"), 1, 10);
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            datastore.addImage("a", file, "a.nii.gz", Map.of());
            datastore.addImage("b", file, "b.nii.gz", Map.of());
            datastore.saveLabel("b", "final", file, "b.nii.gz", Map.of());
        }
        // a crash during removeImage("b") after the files were deleted, and during a copy
        Files.delete(studies.resolve("labels/final/b.nii.gz"));
        Files.delete(studies.resolve("b.nii.gz"));
        Files.write(studies.resolve(DurableFiles.TEMP_PREFIX + "123"), new byte[] {1, 2});
        Files.write(
                studies.resolve("labels/final/" + DurableFiles.TEMP_PREFIX + "456"),
                new byte[] {1, 2});
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageIds()).containsExactly("a");
        }
        assertThat(studies.resolve(DurableFiles.TEMP_PREFIX + "123")).doesNotExist();
        assertThat(studies.resolve("labels/final/" + DurableFiles.TEMP_PREFIX + "456"))
                .doesNotExist();
    }

    @Test
    void replayFinishesAMoveTheCrashedProcessJournaledButDidNotDo() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            datastore.addImage(
                    "a", Contents.write(uploads.resolve("f"), 1, 10), "a.nii.gz", Map.of("key", 1));
        }
        // the state a kill leaves between "journal record synced" and "file renamed into place"
        Path temp = Contents.write(studies.resolve(DurableFiles.TEMP_PREFIX + "redo"), 2, 20);
        JsonObject record =
                JsonTrees.parseObject(
                        "{\"op\": \"set\", \"id\": \"a\", \"object\": {\"image\": {\"ext\":"
                                + " \".nii.gz\", \"info\": {\"key\": 2, \"ts\": 1, \"name\":"
                                + " \"a.nii.gz\"}}, \"labels\": {}}, \"moves\": [{\"from\": \""
                                + temp.getFileName()
                                + "\", \"to\": \"a.nii.gz\"}]}");
        try (Journal journal = Journal.start(studies, 7)) {
            journal.append(List.of(record));
        }
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageInfo("a")).containsEntry("key", 2L);
            assertThat(Contents.key(datastore.imageFile("a"))).hasValue(2);
        }
        assertThat(temp).doesNotExist();
    }

    @Test
    void replayDeletesReplacedFilesUnlessTheIndexNamesThemAgain() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            datastore.addImage(
                    "a", Contents.write(uploads.resolve("f"), 1, 10), "a.nii.gz", Map.of());
        }
        // a crashed process replaced a.nii.gz by a.nrrd and back, and deleted neither old file
        Contents.write(studies.resolve("a.nrrd"), 2, 10);
        try (Journal journal = Journal.start(studies, 3)) {
            journal.append(List.of(setImage(".nrrd", "a.nii.gz"), setImage(".nii.gz", "a.nrrd")));
        }
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(datastore.imageFileName("a")).isEqualTo("a.nii.gz");
        }
        assertThat(studies.resolve("a.nii.gz")).exists();
        assertThat(studies.resolve("a.nrrd")).doesNotExist();
    }

    private static JsonObject setImage(String ext, String replaced) {
        return JsonTrees.parseObject(
                "{\"op\": \"set\", \"id\": \"a\", \"object\": {\"image\": {\"ext\": \""
                        + ext
                        + "\", \"info\": {}}, \"labels\": {}}, \"deletes\": [\""
                        + replaced
                        + "\"]}");
    }
}
