package org.monailabel.engine.sample;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.sample.PhantomGenerator.Phantom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a ready studies folder of phantom CTs: {@code DIR/<id>.nii.gz} images, {@code
 * DIR/ground_truth/<id>.nii.gz} label maps on each image's exact grid, and {@code
 * DIR/ground_truth/labels.json} (label name to value), written last so that its presence means the
 * folder is complete. The ground truth sits in a sub-folder the datastore takes neither for images
 * nor for labels. Deterministic: the same seed gives the same files.
 */
public final class SampleStudies {
    private static final Logger logger = LoggerFactory.getLogger(SampleStudies.class);

    /** The ground-truth sub-folder. */
    public static final String GROUND_TRUTH = "ground_truth";

    /** The label table in the ground-truth folder. */
    public static final String LABELS_FILE = "labels.json";

    private SampleStudies() {}

    /** Whether {@code dir} holds a complete generated folder. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(GROUND_TRUTH).resolve(LABELS_FILE));
    }

    /** The id of study {@code i}: {@code phantom_000}, {@code phantom_001}, ... */
    public static String id(int i) {
        return String.format(Locale.ROOT, "phantom_%03d", i);
    }

    /**
     * Generates {@code count} studies into {@code dir} (created if needed). While one study is
     * written (level-1 gzip, compressed in parallel) the next is generated.
     *
     * @return the study ids
     */
    public static List<String> generate(Path dir, int count, long seed) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("Generate at least one study");
        }
        Path truth = dir.resolve(GROUND_TRUTH);
        Files.createDirectories(truth);
        WriteOptions options = WriteOptions.defaults().withGzipLevel(1);
        List<String> ids = new ArrayList<>();
        ExecutorService writer =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "phantom-writer");
                            t.setDaemon(true);
                            return t;
                        });
        long start = System.nanoTime();
        try {
            CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
            for (int i = 0; i < count; i++) {
                String id = id(i);
                Phantom p = PhantomGenerator.generate(id, seed + i);
                previous.get();
                previous =
                        CompletableFuture.runAsync(
                                () -> {
                                    try {
                                        ImageIo.write(
                                                p.image(), dir.resolve(id + ".nii.gz"), options);
                                        ImageIo.write(
                                                p.label(), truth.resolve(id + ".nii.gz"), options);
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                },
                                writer);
                ids.add(id);
            }
            previous.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while generating sample studies", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException("Generating sample studies failed", e.getCause());
        } finally {
            writer.shutdownNow();
        }
        Path labels = truth.resolve(LABELS_FILE);
        Path tmp = truth.resolve("." + LABELS_FILE + ".tmp");
        Files.writeString(
                tmp,
                new GsonBuilder().setPrettyPrinting().create().toJson(PhantomGenerator.LABELS),
                StandardCharsets.UTF_8);
        Files.move(
                tmp, labels, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        logger.info(
                "Generated {} phantom studies in {} ({} s)",
                count,
                dir,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return ids;
    }
}
