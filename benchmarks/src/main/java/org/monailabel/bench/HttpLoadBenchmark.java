package org.monailabel.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.http.MonaiLabelServer;
import org.monailabel.http.ServerConfig;

/**
 * Load on the REST server: {@code clients} concurrent clients mixing next sample, {@code /info/},
 * inference ({@code .nrrd}/{@code uint8}, as Slicer asks), image download and label save for {@code
 * seconds}, against phantom studies linked {@code images} times into one datastore (10,000 by
 * default). Then a quiet phase of {@code /info/} and {@code /activelearning/random} alone. Reports
 * p50/p99 per endpoint and the errors, then reopens the datastore and checks that every label
 * acknowledged with a 200 is there (zero lost labels).
 *
 * <pre>benchmarks/run HttpLoadBenchmark [seconds=60] [clients=16] [images=10000] [phantoms=4]</pre>
 */
public final class HttpLoadBenchmark {
    private static final String BOUNDARY = "----------lImIt_of_THE_fIle_eW_$";

    private final URI base;
    private final HttpClient client =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
    private final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Set<String> savedLabels = ConcurrentHashMap.newKeySet();
    private final List<byte[]> truths;
    private final int images;
    private final int phantoms;

    private HttpLoadBenchmark(URI base, List<byte[]> truths, int images) {
        this.base = base;
        this.truths = truths;
        this.images = images;
        this.phantoms = truths.size();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int phantoms = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path work = Files.createTempDirectory("http-load-");
        try {
            Path source = work.resolve("phantoms");
            SampleStudies.generate(source, phantoms, 42);
            Path studies = Files.createDirectories(work.resolve("studies"));
            List<byte[]> truths = new ArrayList<>();
            for (int p = 0; p < phantoms; p++) {
                truths.add(
                        Files.readAllBytes(
                                source.resolve(SampleStudies.GROUND_TRUTH)
                                        .resolve(SampleStudies.id(p) + ".nii.gz")));
            }
            for (int i = 0; i < images; i++) {
                Files.createLink(
                        studies.resolve(imageId(i) + ".nii.gz"),
                        source.resolve(SampleStudies.id(i % phantoms) + ".nii.gz"));
            }
            ServerConfig config =
                    ServerConfig.builder(studies)
                            .host("127.0.0.1")
                            .port(0)
                            .classpathApps(true)
                            .watchStudies(false)
                            .watchApps(false)
                            .workDir(work.resolve("server"))
                            .build();
            Set<String> saved;
            try (MonaiLabelServer server = MonaiLabelServer.start(config)) {
                HttpLoadBenchmark bench = new HttpLoadBenchmark(server.uri(), truths, images);
                System.out.printf(
                        Locale.ROOT,
                        "%d images (%d phantoms linked), %d clients, %d s, %d cores, %s%n",
                        images,
                        phantoms,
                        clients,
                        seconds,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.vm.name") + " " + Runtime.version());
                bench.warmUp();
                bench.run(clients, seconds, true);
                bench.report("mixed load");
                HttpLoadBenchmark quiet = new HttpLoadBenchmark(server.uri(), truths, images);
                quiet.run(clients, Math.max(5, seconds / 6), false);
                quiet.report("quiet: /info/ and /activelearning/random only");
                saved = bench.savedLabels;
            }
            try (LocalDatastore reopened =
                    LocalDatastore.open(
                            studies, LocalDatastore.Options.defaults().withWatch(false))) {
                long lost =
                        saved.stream()
                                .filter(id -> reopened.labelFile(id, "final").isEmpty())
                                .count();
                System.out.printf(
                        Locale.ROOT,
                        "labels acknowledged: %d, found after reopening: %d, lost: %d%n",
                        saved.size(),
                        saved.size() - lost,
                        lost);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static String imageId(int i) {
        return String.format(Locale.ROOT, "img %05d", i);
    }

    private void warmUp() throws Exception {
        for (int i = 0; i < 20; i++) {
            one(0, true);
            one(1, true);
            one(2, true);
        }
        latencies.clear();
        errors.clear();
        savedLabels.clear();
    }

    private void run(int clients, int seconds, boolean mixed) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t =
                    new Thread(
                            () -> {
                                while (System.nanoTime() < end) {
                                    int op =
                                            mixed
                                                    ? ThreadLocalRandom.current().nextInt(100)
                                                    : ThreadLocalRandom.current().nextInt(2);
                                    int kind =
                                            !mixed
                                                    ? op
                                                    : op < 25
                                                            ? 0
                                                            : op < 45
                                                                    ? 1
                                                                    : op < 60 ? 2 : op < 80 ? 3 : 4;
                                    try {
                                        one(kind, mixed);
                                    } catch (IOException | InterruptedException e) {
                                        errors.computeIfAbsent(
                                                        "exception " + e.getClass().getSimpleName(),
                                                        k -> new AtomicLong())
                                                .incrementAndGet();
                                    }
                                }
                            },
                            "client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** 0 next sample, 1 info, 2 infer, 3 download, 4 save label. */
    private void one(int kind, boolean record) throws IOException, InterruptedException {
        int i = ThreadLocalRandom.current().nextInt(images);
        String id = imageId(i);
        String q = URLEncoder.encode(id, StandardCharsets.UTF_8);
        switch (kind) {
            case 0 ->
                    time(
                            "POST /activelearning/random",
                            HttpRequest.newBuilder(base.resolve("activelearning/random"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"client_id\": \"bench\"}")));
            case 1 -> time("GET /info/", HttpRequest.newBuilder(base.resolve("info/")).GET());
            case 2 ->
                    time(
                            "POST /infer/threshold",
                            multipart(
                                    base.resolve("infer/threshold?image=" + q),
                                    "POST",
                                    "{\"result_extension\": \".nrrd\", \"result_dtype\": \"uint8\","
                                            + " \"client_id\": \"bench\"}",
                                    null,
                                    null));
            case 3 ->
                    time(
                            "GET /datastore/image",
                            HttpRequest.newBuilder(base.resolve("datastore/image?image=" + q))
                                    .GET());
            default -> {
                boolean ok =
                        time(
                                "PUT /datastore/label",
                                multipart(
                                        base.resolve("datastore/label?image=" + q),
                                        "PUT",
                                        "{\"label_info\": [{\"name\": \"liver\", \"idx\": 1}],"
                                                + " \"client_id\": \"bench\"}",
                                        "label",
                                        truths.get(i % phantoms)));
                if (ok) {
                    savedLabels.add(id);
                }
            }
        }
    }

    private static HttpRequest.Builder multipart(
            URI uri, String method, String params, String fileField, byte[] file) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(
                ("--"
                                + BOUNDARY
                                + "\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n"
                                + params
                                + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        if (file != null) {
            parts.add(
                    ("--"
                                    + BOUNDARY
                                    + "\r\nContent-Disposition: form-data; name=\""
                                    + fileField
                                    + "\"; filename=\"/tmp/slicer-monai-label/tmpbench.nii.gz\"\r\n"
                                    + "Content-Type: application/octet-stream\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            parts.add(file);
            parts.add("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        parts.add(("--" + BOUNDARY + "--\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .method(method, HttpRequest.BodyPublishers.ofByteArrays(parts));
    }

    private boolean time(String endpoint, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response =
                client.send(
                        request.timeout(Duration.ofSeconds(120)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        long micros = (System.nanoTime() - start) / 1000;
        latencies
                .computeIfAbsent(endpoint, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(micros);
        if (response.statusCode() != 200) {
            errors.computeIfAbsent(endpoint + " " + response.statusCode(), k -> new AtomicLong())
                    .incrementAndGet();
            return false;
        }
        return true;
    }

    private void report(String title) {
        System.out.println("\n" + title);
        System.out.printf(
                Locale.ROOT,
                "%-30s %8s %10s %10s %10s%n",
                "endpoint",
                "count",
                "p50 ms",
                "p99 ms",
                "max ms");
        for (Map.Entry<String, List<Long>> e : new TreeMap<>(latencies).entrySet()) {
            List<Long> sorted;
            synchronized (e.getValue()) {
                sorted = new ArrayList<>(e.getValue());
            }
            Collections.sort(sorted);
            System.out.printf(
                    Locale.ROOT,
                    "%-30s %8d %10.1f %10.1f %10.1f%n",
                    e.getKey(),
                    sorted.size(),
                    percentile(sorted, 50),
                    percentile(sorted, 99),
                    sorted.get(sorted.size() - 1) / 1000.0);
        }
        System.out.println("errors: " + (errors.isEmpty() ? "0" : new TreeMap<>(errors)));
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }
}
