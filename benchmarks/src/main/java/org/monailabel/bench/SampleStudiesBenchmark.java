package org.monailabel.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.monailabel.engine.sample.SampleStudies;

/**
 * Time to generate the embedded default dataset: 20 phantom studies (about 256x256x100 each)
 * written as a studies folder with ground truth.
 *
 * <pre>benchmarks/run SampleStudiesBenchmark [runs=3] [count=20]</pre>
 */
public final class SampleStudiesBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Double> seconds = new ArrayList<>();
        for (int r = 0; r <= runs; r++) {
            Path dir = Files.createTempDirectory("studies");
            long t = System.nanoTime();
            SampleStudies.generate(dir, count, 42);
            double s = (System.nanoTime() - t) / 1e9;
            long bytes;
            try (Stream<Path> files = Files.walk(dir)) {
                bytes =
                        files.filter(Files::isRegularFile)
                                .mapToLong(p -> p.toFile().length())
                                .sum();
            }
            System.out.printf(
                    "run %d%s: %d studies in %.2f s (%d MiB on disk)%n",
                    r, r == 0 ? " (warm-up)" : "", count, s, bytes >> 20);
            if (r > 0) {
                seconds.add(s);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf(
                "median %.2f s for %d studies on %d cores%n",
                SegmentationBenchmark.median(seconds),
                count,
                Runtime.getRuntime().availableProcessors());
    }
}
