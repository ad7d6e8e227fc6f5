package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDatastoreWatchTest {
    @TempDir Path studies;

    @TempDir Path outside;

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            LockSupport.parkNanos(
                    Duration.ofMillis(10).toNanos()); // a poll interval, not a guess at timing
        }
    }

    @Test
    void filesCopiedIntoTheFolderAppearAndDisappear() throws IOException {
        try (LocalDatastore datastore = LocalDatastore.open(studies)) {
            Path image = Contents.write(outside.resolve("x.nii.gz"), 1, 1000);
            Files.copy(image, studies.resolve("copied.nii.gz"));
            await("the copied image is indexed", () -> datastore.hasImage("copied"));
            assertThat(datastore.imageInfo("copied")).containsEntry("name", "copied.nii.gz");

            Files.createDirectories(studies.resolve("labels/version_2"));
            Files.copy(image, studies.resolve("labels/version_2/copied.nrrd"));
            await(
                    "the copied label is indexed",
                    () -> datastore.labelTags("copied").contains("version_2"));

            Files.delete(studies.resolve("labels/version_2/copied.nrrd"));
            Files.delete(studies.resolve("copied.nii.gz"));
            await("the deleted image is dropped", () -> !datastore.hasImage("copied"));
        }
    }

    @Test
    void ownWritesCauseNoSpuriousChanges() throws Exception {
        try (LocalDatastore datastore =
                LocalDatastore.open(
                        studies,
                        LocalDatastore.Options.defaults()
                                .withRescanInterval(Duration.ofMillis(50))
                                .withContentCheck(false))) { // Contents files
            Path file = Contents.write(outside.resolve("f"), 1, 10);
            for (int i = 0; i < 20; i++) {
                datastore.addImage("img" + i, file, "x.nii.gz", Map.of("i", i));
                datastore.saveLabel("img" + i, "final", file, "x.nrrd", Map.of("i", i));
                datastore.saveLabel("img" + i, "final", file, "x.nii.gz", Map.of("i", i));
            }
            datastore.removeImage("img0");
            assertThat(datastore.reconcile()).isZero();
            for (int i = 1; i < 20; i++) {
                assertThat(datastore.imageInfo("img" + i)).containsEntry("i", (long) i);
                assertThat(datastore.labelInfo("img" + i, "final").orElseThrow())
                        .containsEntry("i", (long) i)
                        .containsEntry("name", "img" + i + ".nii.gz");
            }
        }
    }
}
