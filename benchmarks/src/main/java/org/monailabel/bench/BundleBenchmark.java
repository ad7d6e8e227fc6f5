package org.monailabel.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;

/**
 * This server's side of {@code benchmarks/bundle-vs-monai}: a MONAI bundle served with {@code
 * --bundle} segmenting a CT through the application layer ({@link MonaiLabel#infer}: the bundle's
 * pre-processing, sliding window and post-processing, and writing the label), timed after one
 * warm-up run.
 *
 * <pre>
 * benchmarks/run BundleBenchmark BUNDLE_DIR CT.nii.gz [repeats=3]
 * </pre>
 *
 * <p>Prints one JSON line: the median seconds of the whole request and of its stages.
 */
public final class BundleBenchmark {
    private BundleBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        Path ct = Path.of(args[1]);
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path tmp = Files.createTempDirectory("bundle-bench-");
        Path studies = Files.createDirectories(tmp.resolve("studies"));
        Files.copy(ct, studies.resolve("ct.nii.gz"));
        String model = bundle.toAbsolutePath().normalize().getFileName().toString();
        Map<String, List<Double>> times = new LinkedHashMap<>();
        try (MonaiLabel monaiLabel =
                MonaiLabel.builder()
                        .studies(studies, false)
                        .workDir(tmp.resolve("work"))
                        .bundle(bundle)
                        .build()) {
            for (int n = 0; n <= repeats; n++) {
                long start = System.nanoTime();
                try (Inference inference =
                        monaiLabel.infer(InferRequest.ofImage(model, "ct", Map.of()))) {
                    double total = (System.nanoTime() - start) / 1e9;
                    if (n == 0) {
                        continue; // warm-up
                    }
                    times.computeIfAbsent("total", k -> new ArrayList<>()).add(total);
                    Map<?, ?> latencies = (Map<?, ?>) inference.result().json().get("latencies");
                    for (String stage : List.of("pre", "infer", "post", "write")) {
                        if (latencies.get(stage) instanceof Number v) {
                            times.computeIfAbsent(stage, k -> new ArrayList<>())
                                    .add(v.doubleValue());
                        }
                    }
                }
            }
        }
        StringBuilder json = new StringBuilder("{");
        times.forEach(
                (stage, values) -> {
                    List<Double> sorted = values.stream().sorted().toList();
                    double median =
                            sorted.size() % 2 == 1
                                    ? sorted.get(sorted.size() / 2)
                                    : (sorted.get(sorted.size() / 2 - 1)
                                                    + sorted.get(sorted.size() / 2))
                                            / 2;
                    json.append(json.length() > 1 ? ", " : "")
                            .append('"')
                            .append(stage)
                            .append("\": ")
                            .append(String.format("%.3f", median));
                });
        System.out.println(json.append('}'));
    }
}
