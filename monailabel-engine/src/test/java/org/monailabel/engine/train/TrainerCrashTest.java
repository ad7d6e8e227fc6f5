package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.testing.ChildJvm;
import org.monailabel.testing.Poll;

/**
 * A trainer killed with SIGKILL at a random moment (mid-epoch, mid-validation, mid-publish) never
 * leaves a published model that does not load: the current card and every kept version with a card
 * load, and the next run resumes from the current version.
 */
@Tag("engine")
class TrainerCrashTest {
    @TempDir Path dir;

    @Test
    void aKillAtAnyMomentLeavesALoadableModel() throws Exception {
        SegmentationTrainerTest helper = new SegmentationTrainerTest();
        helper.dir = dir;
        helper.studies(3).close();
        Path folder = dir.resolve("models/spleen");
        Random random = new Random(5);
        int lastVersion = 0;
        for (int round = 0; round < 3; round++) {
            Process child = ChildJvm.start(TrainerCrashWorkerMain.class, dir.toString());
            try {
                assertThat(ChildJvm.awaitLine(child, "ready")).as("child started").isTrue();
                int before = lastVersion;
                Poll.until(
                        "a version from this run",
                        Duration.ofMinutes(2),
                        () -> currentVersion(folder) > before);
                LockSupport.parkNanos(
                        TimeUnit.MILLISECONDS.toNanos(random.nextInt(1500))); // the random moment
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            ModelCard current = ModelCard.read(folder.resolve(ModelCard.FILE_NAME));
            try (LoadedModel model =
                    LoadedModel.load(folder.resolve(ModelCard.FILE_NAME), Device.cpu())) {
                assertThat(model.card().version()).isEqualTo(current.version());
            }
            List<Integer> kept = new ModelVersions(folder, 2).list();
            assertThat(kept).contains(current.version());
            for (int v : kept) {
                Path card = folder.resolve("versions/v" + v).resolve(ModelCard.FILE_NAME);
                if (Files.exists(
                        card)) { // a version dir without its card is a publish the kill interrupted
                    LoadedModel.load(card, Device.cpu()).close();
                }
            }
            assertThat(current.version())
                    .as("each run resumes from the last version")
                    .isGreaterThan(lastVersion);
            lastVersion = current.version();
        }
    }

    private static int currentVersion(Path folder) {
        try {
            return Files.exists(folder.resolve(ModelCard.FILE_NAME))
                    ? ModelCard.read(folder.resolve(ModelCard.FILE_NAME)).version()
                    : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
