package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.Checksums;
import org.monailabel.engine.json.JsonTrees;
import org.monailabel.testing.ChildJvm;

/** Kills a writing child JVM with SIGKILL at random moments and checks the folder each time. */
class LocalDatastoreCrashTest {
    static final int ITERATIONS = 24;

    @TempDir Path studies;

    @TempDir
    Path scratch; // the children's source files: a killed child cannot clean up after itself

    @Test
    void killAtAnyMomentLeavesAConsistentDatastore() throws Exception {
        Random random = new Random(42);
        int totalImages = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Process child =
                    ChildJvm.start(
                            CrashWorkerMain.class,
                            studies.toString(),
                            Long.toString(random.nextLong()),
                            scratch.resolve("child" + i).toString());
            try {
                assertThat(ChildJvm.awaitLine(child, "ready")).as("child started").isTrue();
                LockSupport.parkNanos(
                        TimeUnit.MILLISECONDS.toNanos(
                                50 + random.nextInt(600))); // the random moment
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            totalImages += verifyFolder();
        }
        assertThat(totalImages).as("the workers got something done").isGreaterThan(ITERATIONS);
    }

    /**
     * Checks the folder as the child left it, then through a reopened datastore; returns #images.
     */
    private int verifyFolder() throws IOException {
        checkNoPartialFiles();
        int images;
        Set<Path> named = new HashSet<>();
        try (LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            images = datastore.imageIds().size();
            for (String id : datastore.imageIds()) {
                checkKey(datastore.imageFile(id), datastore.imageInfo(id));
                named.add(datastore.imageFile(id));
                for (String tag : datastore.labelTags(id)) {
                    Path label = datastore.labelFile(id, tag).orElseThrow();
                    checkKey(label, datastore.labelInfo(id, tag).orElseThrow());
                    named.add(label);
                    checkHistory(datastore, id, tag, label);
                }
            }
        }
        try (Stream<Path> files = Files.walk(studies)) {
            assertThat(
                            files.filter(Files::isRegularFile)
                                    .filter(file -> !file.startsWith(history()))
                                    .filter(file -> !file.getFileName().toString().startsWith("."))
                                    .filter(
                                            file ->
                                                    !file.getFileName()
                                                            .toString()
                                                            .equals("datastore_v2.json")))
                    .as("no orphan files (replaced files are deleted, also after a crash)")
                    .containsExactlyInAnyOrderElementsOf(named);
        }
        JsonObject index =
                JsonTrees.parseObject(Files.readString(studies.resolve("datastore_v2.json")));
        assertThat(index.getAsJsonObject("objects").size()).isEqualTo(images);
        return images;
    }

    private Path history() {
        return studies.resolve(LabelHistory.DIR);
    }

    /**
     * The label's history names the file in place as its current version, and every version's file
     * is complete and what its version says.
     */
    private static void checkHistory(LocalDatastore datastore, String id, String tag, Path label)
            throws IOException {
        List<LabelVersion> versions = datastore.labelHistory(id, tag);
        assertThat(versions)
                .extracting(LabelVersion::version)
                .isEqualTo(
                        java.util.stream.IntStream.rangeClosed(1, versions.size())
                                .boxed()
                                .toList());
        LabelVersion current = datastore.currentLabel(id, tag).orElseThrow();
        assertThat(current).isEqualTo(versions.get(versions.size() - 1));
        assertThat(current.sha256()).isEqualTo(Checksums.hex(label, "SHA-256"));
        for (LabelVersion version : versions) {
            if (!version.removed()) {
                Path file = datastore.labelVersionFile(id, tag, version.version());
                assertThat(Contents.key(file)).as("version file %s", file).isPresent();
                assertThat(Checksums.hex(file, "SHA-256")).isEqualTo(version.sha256());
            }
        }
    }

    private static void checkKey(Path file, Map<String, Object> info) throws IOException {
        assertThat(file).isRegularFile();
        assertThat(Contents.key(file))
                .as("content of %s", file.getFileName())
                .hasValue((Long) info.get("key"));
        assertThat(info.get("name")).isEqualTo(file.getFileName().toString());
    }

    /**
     * Every non-hidden file under its final name is complete (renamed into place only when whole).
     */
    private void checkNoPartialFiles() throws IOException {
        try (Stream<Path> files = Files.walk(studies)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".")
                        || file.startsWith(history().resolve(LabelHistory.INDEX))) {
                    continue;
                }
                if (name.equals("datastore_v2.json")) {
                    JsonTrees.parseObject(Files.readString(file)); // parses: never torn
                    continue;
                }
                assertThat(Contents.key(file))
                        .as("complete file %s", studies.relativize(file))
                        .isPresent();
            }
        }
    }
}
