package org.monailabel.engine.datastore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.monailabel.api.Datastore.Transfer;

/**
 * Child-process main for {@link LocalDatastoreCrashTest}: changes the datastore in a loop until it
 * is killed. Every image and label file is a {@link Contents} file whose key is in its info ({@code
 * key}), so the test can check that the index names the right, complete file. Half the writes hand
 * the source over ({@link Transfer#MOVE}: renamed into place), half copy it.
 */
public final class CrashWorkerMain {
    private CrashWorkerMain() {}

    public static void main(String[] args) throws IOException {
        Path studies = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        Path scratch =
                Files.createDirectories(Path.of(args[2])); // the test's folder: it deletes it
        LocalDatastore datastore =
                LocalDatastore.open(
                        studies,
                        LocalDatastore.Options.defaults()
                                .withWatch(false)
                                .withSnapshotDelay(Duration.ofMillis(30))
                                .withContentCheck(false));
        System.out.println("ready");
        System.out.flush();
        List<String> exts = List.of(".nii.gz", ".nrrd", ".seg.nrrd", ".dcm");
        for (long n = 0; ; n++) {
            int key = random.nextInt(1 << 20);
            String id = "img" + random.nextInt(40);
            Path source =
                    Contents.write(
                            scratch.resolve("src" + (n % 4)), key, 1 + random.nextInt(300_000));
            String ext = exts.get(random.nextInt(exts.size()));
            Transfer transfer = random.nextBoolean() ? Transfer.MOVE : Transfer.COPY;
            switch (random.nextInt(6)) {
                case 0, 1 ->
                        datastore.addImage(
                                id, source, "C:\\up\\" + id + ext, Map.of("key", key), transfer);
                case 2, 3 -> {
                    if (datastore.hasImage(id)) {
                        String tag =
                                random.nextBoolean() ? "final" : "version_" + random.nextInt(3);
                        datastore.saveLabel(
                                id, tag, source, "/tmp/l" + ext, Map.of("key", key), transfer);
                    }
                }
                case 4 -> {
                    if (datastore.hasImage(id)) {
                        datastore.updateImageInfo(id, Map.of("n" + (n % 7), n));
                        datastore.recordSampleHandout(id, "random", "c" + n);
                    }
                }
                default -> {
                    if (datastore.hasImage(id) && random.nextInt(4) == 0) {
                        datastore.removeImage(id);
                    } else if (datastore.hasImage(id)) {
                        datastore.removeLabel(id, "final");
                    }
                }
            }
        }
    }
}
