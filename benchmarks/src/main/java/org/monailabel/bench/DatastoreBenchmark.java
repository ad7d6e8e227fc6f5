package org.monailabel.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.monailabel.engine.datastore.LocalDatastore;

/**
 * Times the local datastore with many images: open (new instance on an indexed folder), {@code
 * imageIds()}, and label saves, separating the index entry (journal record + fsync) from the file
 * copy. Prints a table of medians over several runs.
 *
 * <pre>
 * benchmarks/run DatastoreBenchmark [images=10000] [runs=5] [saves=1000] [dir] [snapshotDelayMs=1000]
 * </pre>
 */
public final class DatastoreBenchmark {
    static {
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel", "warn"); // before the first logger
    }

    private DatastoreBenchmark() {}

    public static void main(String[] args) throws IOException {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int saves = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        Path root =
                args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir"));
        LocalDatastore.Options options =
                LocalDatastore.Options.defaults()
                        .withSnapshotDelay(
                                Duration.ofMillis(
                                        args.length > 4 ? Long.parseLong(args[4]) : 1000));
        Path work = Files.createTempDirectory(root, "datastore-bench");
        try {
            run(work, images, runs, saves, options);
        } finally {
            deleteTree(work);
        }
    }

    private static void run(
            Path work, int images, int runs, int saves, LocalDatastore.Options options)
            throws IOException {
        Path studies = work.resolve("studies");
        Files.createDirectories(studies);
        byte[] small = new byte[64];
        for (int i = 0; i < images; i++) {
            Files.write(studies.resolve(String.format("img_%05d.nii.gz", i)), small);
        }
        Path label = Files.write(work.resolve("label.nii.gz"), small);

        long t0 = System.nanoTime();
        LocalDatastore.open(studies, options).close();
        double firstOpen = ms(System.nanoTime() - t0);

        List<double[]> rows = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            rows.add(oneRun(studies, label, work, images, saves, run, options));
        }
        System.out.printf(
                "%nLocalDatastore, %d images, %d label saves per run, %d runs (median of runs),"
                        + " %s, %d cores%n",
                images,
                saves,
                runs,
                "snapshot delay "
                        + options.snapshotDelay().toMillis()
                        + " ms, "
                        + System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-58s %10s%n", "measure", "ms");
        System.out.printf(
                "%-58s %10.1f%n",
                "first open (index " + images + " unindexed files, write snapshot)", firstOpen);
        String[] names = {
            "open (new instance, indexed folder)",
            "imageIds()",
            "saveLabel total, tiny file: p50",
            "saveLabel total, tiny file: p99",
            "index entry only (updateLabelInfo: journal+fsync): p50",
            "index entry only (updateLabelInfo: journal+fsync): p99",
            "durable file copy alone (tmp, fsync, rename, fsync dir): p50",
            "durable file copy alone: p99",
            "close (final snapshot of the whole index)",
        };
        for (int m = 0; m < names.length; m++) {
            int index = m;
            double[] values = rows.stream().mapToDouble(row -> row[index]).sorted().toArray();
            System.out.printf("%-58s %10.3f%n", names[m], values[values.length / 2]);
        }
    }

    private static double[] oneRun(
            Path studies,
            Path label,
            Path work,
            int images,
            int saves,
            int run,
            LocalDatastore.Options options)
            throws IOException {
        long t0 = System.nanoTime();
        LocalDatastore datastore = LocalDatastore.open(studies, options);
        double open = ms(System.nanoTime() - t0);
        try {
            t0 = System.nanoTime();
            List<String> ids = datastore.imageIds();
            double imageIds = ms(System.nanoTime() - t0);
            if (ids.size() != images) {
                throw new IllegalStateException(
                        "expected " + images + " images, got " + ids.size());
            }
            String tag = "bench_" + run;
            double[] save = new double[saves];
            double[] entry = new double[saves];
            for (int i = 0; i < saves; i++) {
                String id = ids.get((i * 7919) % ids.size());
                long s = System.nanoTime();
                datastore.saveLabel(
                        id, tag, label, "label.nii.gz", Map.of("model", "bench", "i", i));
                save[i] = ms(System.nanoTime() - s);
                s = System.nanoTime();
                datastore.updateLabelInfo(id, tag, Map.of("reviewed", true));
                entry[i] = ms(System.nanoTime() - s);
            }
            double[] copy = new double[saves];
            Path dir = Files.createDirectories(work.resolve("copies"));
            for (int i = 0; i < saves; i++) {
                long s = System.nanoTime();
                durableCopy(label, dir.resolve("c" + (i % 50) + ".nii.gz"));
                copy[i] = ms(System.nanoTime() - s);
            }
            for (int i = 0; i < saves; i++) {
                datastore.removeLabel(ids.get((i * 7919) % ids.size()), tag);
            }
            t0 = System.nanoTime();
            datastore.close();
            double close = ms(System.nanoTime() - t0);
            return new double[] {
                open,
                imageIds,
                pct(save, 50),
                pct(save, 99),
                pct(entry, 50),
                pct(entry, 99),
                pct(copy, 50),
                pct(copy, 99),
                close
            };
        } finally {
            datastore.close();
        }
    }

    /** The same steps the datastore takes to place a file, without the index. */
    private static void durableCopy(Path source, Path target) throws IOException {
        Path temp = target.resolveSibling(".tmp-" + target.getFileName());
        Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(
                temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static double pct(double[] values, int percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[
                Math.min(
                        sorted.length - 1,
                        (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
