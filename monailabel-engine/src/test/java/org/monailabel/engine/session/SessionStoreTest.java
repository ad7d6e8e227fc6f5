package org.monailabel.engine.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.json.JsonTrees;

class SessionStoreTest {
    @TempDir Path root;

    @TempDir Path uploads;

    private SessionStore open() throws IOException {
        return new SessionStore(root, Duration.ofHours(1), Duration.ofHours(2));
    }

    private SessionStore.Upload upload(String name, String content) throws IOException {
        return new SessionStore.Upload(Files.writeString(uploads.resolve(name), content), name);
    }

    @Test
    void sessionsSurviveARestartWithTheirFilesMetaAndTimes() throws IOException {
        Session single;
        Session series;
        try (SessionStore store = open()) {
            single =
                    store.create(
                            List.of(upload("a.nii.gz", "volume")), Map.of("client_id", "x"), 600);
            series =
                    store.create(
                            List.of(upload("1.dcm", "one"), upload("2.dcm", "two")), Map.of(), 0);
            single = store.get(single.id(), true).orElseThrow();
        }
        try (SessionStore store = open()) {
            assertThat(store.get(single.id(), false)).hasValue(single);
            assertThat(Files.readString(single.image())).isEqualTo("volume");
            assertThat(store.get(series.id(), false)).hasValue(series);
            assertThat(series.image()).isEqualTo(series.dir()).isDirectory();
            assertThat(store.remove(single.id())).isPresent();
        }
        try (SessionStore store = open()) {
            assertThat(store.get(single.id(), false)).isEmpty();
            assertThat(root.resolve(single.id())).doesNotExist();
            assertThat(root.resolve(single.id() + ".json")).doesNotExist();
            assertThat(store.get(series.id(), false)).isPresent();
        }
    }

    @Test
    void expiredAndIncompleteSessionsAndStrayFilesArePurgedAtStart() throws IOException {
        Session expired;
        Session live;
        try (SessionStore store = open()) {
            expired = store.create(List.of(upload("a.nii.gz", "a")), Map.of(), 60);
            live = store.create(List.of(upload("b.nii.gz", "b")), Map.of(), 60);
        }
        Path meta = root.resolve(expired.id() + ".json");
        JsonObject json = JsonTrees.parseObject(Files.readString(meta));
        json.addProperty("last_access_ts", Instant.now().getEpochSecond() - 61);
        Files.writeString(meta, JsonTrees.toCompactString(json));
        String crashed = "0e6c5a55-0000-4000-8000-000000000001"; // a creation cut short
        Files.writeString(Files.createDirectories(root.resolve(crashed)).resolve("x.nii.gz"), "x");
        String orphan = "0e6c5a55-0000-4000-8000-000000000002";
        Files.writeString(root.resolve(orphan + ".json"), "{}");
        Files.writeString(root.resolve("stray.txt"), "?");

        try (SessionStore store = open()) {
            assertThat(store.get(expired.id(), false)).isEmpty();
            assertThat(store.get(live.id(), false)).isPresent();
        }
        try (var files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(live.id(), live.id() + ".json");
        }
    }
}
