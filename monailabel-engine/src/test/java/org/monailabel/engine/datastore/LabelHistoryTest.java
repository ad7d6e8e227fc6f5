package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.Datastore.Transfer;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.json.JsonTrees;

/** The label history of a {@link LocalDatastore} ({@link VersionedLabels}). */
class LabelHistoryTest {
    @TempDir Path studies;

    @TempDir Path uploads;

    private int uploadCount;

    private Path upload(int key) throws IOException {
        return Contents.write(uploads.resolve("up" + uploadCount++), key, 200 + key);
    }

    private static LocalDatastore open(Path studies) throws IOException {
        return LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH);
    }

    private static LabelEdit edit(String user) {
        return new LabelEdit(user, "client-" + user, "10.0.0.7", LabelEdit.ANY);
    }

    private LabelVersion save(LocalDatastore datastore, int key, LabelEdit edit)
            throws IOException {
        return datastore.saveLabel(
                "img", Datastore.FINAL, upload(key), "l.nii.gz", Map.of(), Transfer.MOVE, edit);
    }

    private LocalDatastore withImage() throws IOException {
        LocalDatastore datastore = open(studies);
        datastore.addImage("img", upload(99), "img.nii.gz", Map.of());
        return datastore;
    }

    @Test
    void everySaveIsAVersionWithWhoWhenWhereAndWhatItReplaced() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            LabelVersion v1 = save(datastore, 1, edit("alice"));
            LabelVersion v2 = save(datastore, 2, edit("bob"));
            LabelVersion v3 = save(datastore, 3, edit("alice"));

            assertThat(datastore.labelHistory("img", "final")).containsExactly(v1, v2, v3);
            assertThat(List.of(v1.version(), v2.version(), v3.version())).containsExactly(1, 2, 3);
            assertThat(List.of(v1.replaced(), v2.replaced(), v3.replaced()))
                    .containsExactly(0, 1, 2);
            assertThat(v2.user()).isEqualTo("bob");
            assertThat(v2.clientId()).isEqualTo("client-bob");
            assertThat(v2.address()).isEqualTo("10.0.0.7");
            assertThat(v2.action()).isEqualTo(LabelVersion.Action.SAVED);
            assertThat(v2.name()).isEqualTo("img.nii.gz");
            assertThat(v2.size()).isEqualTo(8 + 202);
            assertThat(v2.time()).isAfterOrEqualTo(v1.time()).isBeforeOrEqualTo(v3.time());
            assertThat(v1.etag()).isNotEqualTo(v2.etag()).startsWith("\"1-").endsWith("\"");
            // every version's file kept, the label in place is the last
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 1))).hasValue(1);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 2))).hasValue(2);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 3))).hasValue(3);
            assertThat(Contents.key(datastore.labelFile("img", "final").orElseThrow())).hasValue(3);
            assertThat(datastore.currentLabel("img", "final")).hasValue(v3);
            assertThat(v2.sha256())
                    .isEqualTo(
                            org.monailabel.engine.Checksums.hex(
                                    datastore.labelVersionFile("img", "final", 2), "SHA-256"));
        }
    }

    @Test
    void historyAndFilesSurviveARestartAndNumberingGoesOn() throws IOException {
        List<LabelVersion> before;
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            save(datastore, 2, edit("bob"));
            before = datastore.labelHistory("img", "final");
        }
        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.labelHistory("img", "final")).isEqualTo(before);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 1))).hasValue(1);
            LabelVersion v3 = save(datastore, 3, edit("carol"));
            assertThat(v3.version()).isEqualTo(3);
            assertThat(v3.replaced()).isEqualTo(2);
        }
    }

    @Test
    void aRemovalIsAVersionAndKeepsTheFiles() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            LabelVersion removal = datastore.removeLabel("img", "final", edit("bob")).orElseThrow();
            assertThat(removal.version()).isEqualTo(2);
            assertThat(removal.removed()).isTrue();
            assertThat(removal.user()).isEqualTo("bob");
            assertThat(removal.replaced()).isEqualTo(1);
            assertThat(datastore.labelFile("img", "final")).isEmpty();
            assertThat(datastore.currentLabel("img", "final")).isEmpty();
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 1))).hasValue(1);
            assertThatThrownBy(() -> datastore.labelVersionFile("img", "final", 2))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("removal");
            assertThat(datastore.removeLabel("img", "final", edit("bob"))).isEmpty();

            LabelVersion v3 = save(datastore, 3, edit("carol"));
            assertThat(v3.version()).isEqualTo(3);
            assertThat(v3.replaced()).isZero(); // nothing was there to replace
        }
    }

    @Test
    void removingTheImageRecordsTheRemovalOfEachLabelAndKeepsTheirFiles() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            datastore.removeImage("img", edit("admin"));
            datastore.addImage("img", upload(98), "img.nii.gz", Map.of());
            List<LabelVersion> history = datastore.labelHistory("img", "final");
            assertThat(history)
                    .extracting(LabelVersion::action)
                    .containsExactly(LabelVersion.Action.SAVED, LabelVersion.Action.REMOVED);
            assertThat(history.get(1).user()).isEqualTo("admin");
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 1))).hasValue(1);
        }
    }

    @Test
    void aRefusingConditionStoresNothing() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            Path source = upload(2);
            LabelEdit refuse =
                    new LabelEdit(
                            "bob",
                            "",
                            "",
                            history -> {
                                throw new ConflictException(
                                        "stale: " + history.get(history.size() - 1).version());
                            });
            assertThatThrownBy(
                            () ->
                                    datastore.saveLabel(
                                            "img",
                                            "final",
                                            source,
                                            "l.nii.gz",
                                            Map.of(),
                                            Transfer.MOVE,
                                            refuse))
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("stale: 1");
            assertThat(source).exists(); // still the caller's
            assertThat(datastore.labelHistory("img", "final")).hasSize(1);
            assertThat(Contents.key(datastore.labelFile("img", "final").orElseThrow())).hasValue(1);
            assertThatThrownBy(() -> datastore.removeLabel("img", "final", refuse))
                    .isInstanceOf(ConflictException.class);
            assertThat(datastore.labelFile("img", "final")).isPresent();
        }
    }

    @Test
    void ofConcurrentSavesExpectingTheSameVersionExactlyOneWins() throws Exception {
        int threads = 8;
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            for (int round = 0; round < 5; round++) {
                int expected = datastore.currentLabel("img", "final").orElseThrow().version();
                LabelEdit.Condition ifMatch =
                        history -> {
                            if (history.get(history.size() - 1).version() != expected) {
                                throw new ConflictException("stale");
                            }
                        };
                CountDownLatch start = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Path source = upload(10 + t);
                    results.add(
                            pool.submit(
                                    () -> {
                                        start.await();
                                        try {
                                            datastore.saveLabel(
                                                    "img",
                                                    "final",
                                                    source,
                                                    "l.nii.gz",
                                                    Map.of(),
                                                    Transfer.MOVE,
                                                    new LabelEdit("u", "", "", ifMatch));
                                            return true;
                                        } catch (ConflictException e) {
                                            return false;
                                        }
                                    }));
                }
                start.countDown();
                int won = 0;
                for (Future<Boolean> r : results) {
                    won += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                pool.shutdown();
                assertThat(won).as("round " + round).isEqualTo(1);
                assertThat(datastore.labelHistory("img", "final")).hasSize(expected + 1);
            }
        }
    }

    @Test
    void aSaveACrashCutShortIsVoidedAtOpenAndItsNumberUsedAgain() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
        }
        // what a crash between the history line and the move into place leaves: version 2
        // recorded and kept, the label in place still version 1
        Path dir = studies.resolve(LabelHistory.DIR);
        Path index = dir.resolve(LabelHistory.INDEX);
        JsonObject v1 =
                JsonTrees.parseObject(Files.readAllLines(index, StandardCharsets.UTF_8).get(0));
        JsonObject v2 = v1.deepCopy();
        v2.addProperty("version", 2);
        v2.addProperty("replaced", 1);
        v2.addProperty("sha256", "0".repeat(64));
        v2.addProperty("size", 12);
        v2.addProperty("file", "final/img/2.nii.gz");
        Files.copy(upload(2), dir.resolve("final/img/2.nii.gz"));
        Files.writeString(index, JsonTrees.toCompactString(v2) + "\n", StandardOpenOption.APPEND);

        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.labelHistory("img", "final"))
                    .extracting(LabelVersion::version)
                    .containsExactly(1);
            assertThat(dir.resolve("final/img/2.nii.gz")).doesNotExist();
            LabelVersion again = save(datastore, 3, edit("bob"));
            assertThat(again.version()).isEqualTo(2);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 2))).hasValue(3);
        }
        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.labelHistory("img", "final"))
                    .extracting(LabelVersion::user)
                    .containsExactly("alice", "bob");
        }
    }

    @Test
    void aRemovalACrashCutShortIsVoidedAtOpen() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
        }
        Path index = studies.resolve(LabelHistory.DIR).resolve(LabelHistory.INDEX);
        Files.writeString(
                index,
                "{\"action\":\"removed\",\"image\":\"img\",\"tag\":\"final\",\"version\":2,"
                        + "\"replaced\":1,\"time\":\"2025-01-01T00:00:00Z\",\"user\":\"bob\","
                        + "\"client_id\":\"\",\"address\":\"\",\"size\":0,\"sha256\":\"\","
                        + "\"name\":\"\",\"mtime\":0,\"file\":\"\"}\n",
                StandardOpenOption.APPEND);
        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.currentLabel("img", "final").orElseThrow().version()).isEqualTo(1);
        }
    }

    @Test
    void aTornLastLineOfTheHistoryIsToleratedAndTheNextLineStartsOnItsOwn() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
        }
        Path index = studies.resolve(LabelHistory.DIR).resolve(LabelHistory.INDEX);
        Files.writeString(
                index, "{\"action\":\"saved\",\"image\":\"img\",\"ta", StandardOpenOption.APPEND);
        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.labelHistory("img", "final")).hasSize(1);
            save(datastore, 2, edit("bob"));
        }
        try (LocalDatastore datastore = open(studies)) {
            assertThat(datastore.labelHistory("img", "final"))
                    .extracting(LabelVersion::user)
                    .containsExactly("alice", "bob");
        }
    }

    @Test
    void aLabelChangedBehindTheDatastoresBackBecomesAVersionOfItsOwn() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            Path file =
                    Files.createDirectories(studies.resolve("labels/final")).resolve("img.nrrd");
            Contents.write(file, 5, 30);
            datastore.reconcile();
            List<LabelVersion> found = datastore.labelHistory("img", "final");
            assertThat(found).hasSize(1);
            assertThat(found.get(0).action()).isEqualTo(LabelVersion.Action.FOUND);
            assertThat(found.get(0).user()).isEqualTo(LabelEdit.UNKNOWN);
            assertThat(found.get(0).name()).isEqualTo("img.nrrd");

            // written in place, as MONAI Label's shutil.copy does: version 1 keeps its content
            Contents.write(file, 6, 40);
            LabelVersion v3 = save(datastore, 7, edit("alice"));
            assertThat(v3.version()).isEqualTo(3);
            assertThat(datastore.labelHistory("img", "final"))
                    .extracting(LabelVersion::action)
                    .containsExactly(
                            LabelVersion.Action.FOUND,
                            LabelVersion.Action.FOUND,
                            LabelVersion.Action.SAVED);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 1))).hasValue(5);
            assertThat(Contents.key(datastore.labelVersionFile("img", "final", 2))).hasValue(6);

            Files.delete(studies.resolve("labels/final/img.nii.gz"));
            assertThat(datastore.currentLabel("img", "final")).isEmpty();
            assertThat(datastore.labelHistory("img", "final").get(3).removed()).isTrue();
        }
    }

    @Test
    void theHistoryStaysOutOfMonaiLabelsWay() throws IOException {
        try (LocalDatastore datastore = withImage()) {
            save(datastore, 1, edit("alice"));
            save(datastore, 2, edit("bob"));
        }
        JsonObject index =
                JsonTrees.parseObject(Files.readString(studies.resolve("datastore_v2.json")));
        assertThat(index.keySet())
                .containsExactly("name", "description", "images_dir", "labels_dir", "objects");
        JsonObject label =
                index.getAsJsonObject("objects")
                        .getAsJsonObject("img")
                        .getAsJsonObject("labels")
                        .getAsJsonObject("final");
        assertThat(label.keySet()).containsExactly("ext", "info");
        assertThat(label.getAsJsonObject("info").keySet()).containsExactlyInAnyOrder("ts", "name");
        // MONAI Label lists the files directly in the images folder and in each labels/<tag>
        // folder: the history is a hidden folder beside them
        try (var files = Files.list(studies)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "datastore_v2.json", "labels", ".lock", "img.nii.gz", LabelHistory.DIR);
        }
        try (var files = Files.list(studies.resolve("labels"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("final", "original");
        }
    }
}
