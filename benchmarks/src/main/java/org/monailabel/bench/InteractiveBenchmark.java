package org.monailabel.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.apps.template.Deepgrow3d;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.interactive.ClickSimulator;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.http.MonaiLabelServer;
import org.monailabel.http.ServerConfig;

/**
 * The interactive targets of issue 7 for the template app's bundled {@code deepgrow_3d}:
 *
 * <ul>
 *   <li>{@code dice}: Dice of the spleen on held-out phantoms (seeds 9001+, never trained on) after
 *       1..N simulated clicks, on the input grid: the first click at the spleen's deepest voxel,
 *       each next one at the deepest voxel of the larger of the false-negative and false-positive
 *       regions of the previous answer (positive or negative click);
 *   <li>{@code latency}: click-to-response over HTTP with Slicer's multipart framing and reply
 *       ({@code .nrrd}, {@code uint8}) on a 512x512x128 volume: the first click on each image
 *       (without a download before it, and right after Slicer's download of the image, which the
 *       server prefetches on), then warm clicks on one image, then 4 clients clicking on 4
 *       different images at once, each reply compared voxel for voxel with the same request
 *       answered alone (no cross-talk).
 * </ul>
 *
 * <pre>
 * benchmarks/run InteractiveBenchmark [dice|latency|all] [phantoms=8] [clicks=5] [warm=60] [perClient=25]
 * </pre>
 */
public final class InteractiveBenchmark {
    private static final String BOUNDARY = "----------lImIt_of_THE_fIle_eW_$";

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        int phantoms = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int clicks = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        int perClient = args.length > 4 ? Integer.parseInt(args[4]) : 25;
        System.out.printf(
                Locale.ROOT,
                "%d cores, %s %s, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);
        Path work = Files.createTempDirectory("interactive-bench-");
        try {
            if (!what.equals("latency")) {
                dice(work.resolve("dice"), phantoms, clicks);
            }
            if (!what.equals("dice")) {
                latency(work.resolve("latency"), warm, perClient);
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void dice(Path dir, int phantoms, int clicks) throws Exception {
        Files.createDirectories(dir);
        double[][] dice = new double[phantoms][clicks];
        try (LocalDatastore datastore =
                        LocalDatastore.open(
                                Files.createDirectories(dir.resolve("studies")),
                                LocalDatastore.Options.defaults().withWatch(false));
                Deepgrow3d task = new Deepgrow3d()) {
            task.open(
                    new AppContext(
                            "template",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            int spleen = PhantomGenerator.LABELS.get("spleen");
            for (int p = 0; p < phantoms; p++) {
                PhantomGenerator.Phantom phantom =
                        PhantomGenerator.generate("heldout" + p, 9001 + p);
                Path image = dir.resolve("heldout" + p + ".nii.gz");
                ImageIo.write(phantom.image(), image, WriteOptions.defaults());
                int[] shape = phantom.image().shape();
                byte[] truth = fileOrderToC(phantom.label(), spleen);
                List<List<Integer>> fg = new ArrayList<>();
                List<List<Integer>> bg = new ArrayList<>();
                byte[] predicted = new byte[truth.length];
                for (int k = 0; k < clicks; k++) {
                    Optional<ClickSimulator.Click> next =
                            k == 0
                                    ? ClickSimulator.deepest(truth, shape)
                                            .map(c -> new ClickSimulator.Click(c, true))
                                    : ClickSimulator.next(truth, predicted, shape, null);
                    if (next.isPresent()) {
                        int[] c = next.get().point();
                        (next.get().positive() ? fg : bg).add(List.of(c[0], c[1], c[2]));
                        Path out = Files.createTempDirectory(dir, "out");
                        InferenceResult r =
                                task.infer(
                                        new InferenceRequest(
                                                "deepgrow_3d",
                                                image,
                                                Optional.of("heldout" + p),
                                                Params.of(
                                                        Map.of(
                                                                "foreground",
                                                                fg,
                                                                "background",
                                                                bg,
                                                                "label",
                                                                "spleen")),
                                                Optional.empty(),
                                                out));
                        predicted = fileOrderToC(ImageIo.read(r.file().orElseThrow()), 1);
                    }
                    dice[p][k] = dice(predicted, truth);
                }
                System.out.printf(
                        Locale.ROOT,
                        "heldout%d (seed %d, %s): %s%n",
                        p,
                        9001 + p,
                        Arrays.toString(shape),
                        Arrays.toString(
                                Arrays.stream(dice[p])
                                        .map(d -> Math.round(d * 1000) / 1000.0)
                                        .toArray()));
            }
        }
        System.out.println("| clicks | mean Dice | min Dice |");
        System.out.println("| --- | --- | --- |");
        for (int k = 0; k < clicks; k++) {
            int kk = k;
            double mean = Arrays.stream(dice).mapToDouble(d -> d[kk]).average().orElse(0);
            double min = Arrays.stream(dice).mapToDouble(d -> d[kk]).min().orElse(0);
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f |%n", k + 1, mean, min);
        }
    }

    /** A label in file order as a C-order {@code (X, Y, Z)} binary mask of one value. */
    static byte[] fileOrderToC(Volume v, int value) {
        int[] s = v.shape();
        byte[] out = new byte[s[0] * s[1] * s[2]];
        for (int x = 0; x < s[0]; x++) {
            for (int y = 0; y < s[1]; y++) {
                for (int z = 0; z < s[2]; z++) {
                    out[(x * s[1] + y) * s[2] + z] = (byte) (v.get(x, y, z) == value ? 1 : 0);
                }
            }
        }
        return out;
    }

    static double dice(byte[] a, byte[] b) {
        long both = 0;
        long na = 0;
        long nb = 0;
        for (int i = 0; i < a.length; i++) {
            both += a[i] != 0 && b[i] != 0 ? 1 : 0;
            na += a[i] != 0 ? 1 : 0;
            nb += b[i] != 0 ? 1 : 0;
        }
        return na + nb == 0 ? 1 : 2.0 * both / (na + nb);
    }

    static void latency(Path dir, int warm, int perClient) throws Exception {
        Path studies = Files.createDirectories(dir.resolve("studies"));
        int images = 13; // big0-3: first clicks, no download; big4: warm-up; big5-12: Slicer
        List<List<int[]>> spleens = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < images; i++) {
            PhantomGenerator.Phantom p =
                    PhantomGenerator.render(
                            "big" + i,
                            500 + i,
                            new int[] {512, 512, 128},
                            new double[] {0.7, 0.7, 2.5},
                            StorageOrder.LPS);
            ImageIo.write(
                    p.image(), studies.resolve("big" + i + ".nii.gz"), WriteOptions.defaults());
            spleens.add(voxelsOf(p.label(), PhantomGenerator.LABELS.get("spleen"), 400, 17 + i));
        }
        System.out.printf(
                Locale.ROOT,
                "%d images of 512x512x128 written in %.1f s%n",
                images,
                (System.nanoTime() - t0) / 1e9);
        ServerConfig config =
                ServerConfig.builder(studies)
                        .host("127.0.0.1")
                        .port(0)
                        .classpathApps(true)
                        .watchStudies(false)
                        .watchApps(false)
                        .workDir(dir.resolve("server"))
                        .build();
        try (MonaiLabelServer server = MonaiLabelServer.start(config)) {
            HttpClient client =
                    HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10))
                            .build();
            URI base = server.uri();
            Random random = new Random(1);
            // model warm-up on a throw-away image id that is not measured: big4 is used for it
            click(client, base, "big4", List.of(spleens.get(4).get(0)), List.of());
            List<Double> first = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Reply r = click(client, base, "big" + i, List.of(spleens.get(i).get(0)), List.of());
                first.add(r.millis());
                System.out.println("server stages of a first click (s): " + r.latencies());
            }
            report(
                    "first click on a new image, no download before it (read, then the crop's"
                            + " region)",
                    first);
            // Slicer's flow: the image is downloaded (the server then prepares it in the
            // background), and clicked on at once, the worst case for a radiologist
            List<Double> downloads = new ArrayList<>();
            List<Double> afterDownload = new ArrayList<>();
            for (int i = 5; i < 9; i++) {
                downloads.add(download(client, base, "big" + i));
                Reply r = click(client, base, "big" + i, List.of(spleens.get(i).get(0)), List.of());
                afterDownload.add(r.millis());
                System.out.println(
                        "server stages of a click right after the download (s): " + r.latencies());
            }
            List<Double> afterLooking = new ArrayList<>();
            List<Double> secondClicks = new ArrayList<>();
            for (int i = 9; i < 13; i++) {
                downloads.add(download(client, base, "big" + i));
                Thread.sleep(1000); // the radiologist finds the organ
                Reply r = click(client, base, "big" + i, List.of(spleens.get(i).get(0)), List.of());
                afterLooking.add(r.millis());
                System.out.println(
                        "server stages of a click 1 s after the download (s): " + r.latencies());
                Thread.sleep(1000);
                Reply second =
                        click(client, base, "big" + i, List.of(spleens.get(i).get(1)), List.of());
                secondClicks.add(second.millis());
            }
            report("image download (Slicer opens the image)", downloads);
            report("first click right after the download", afterDownload);
            report("first click 1 s after the download", afterLooking);
            report("second click on those images, 1 s later", secondClicks);
            List<Double> warmTimes = new ArrayList<>();
            Reply last = null;
            for (int n = 0; n < warm; n++) {
                last = click(client, base, "big0", randomClicks(spleens.get(0), random), List.of());
                warmTimes.add(last.millis());
            }
            report("warm clicks, image cached, one client", warmTimes);
            // as a radiologist clicks: a second or so between clicks (the network's threads idle)
            List<Double> paced = new ArrayList<>();
            for (int n = 0; n < 12; n++) {
                Thread.sleep(1000);
                paced.add(
                        click(client, base, "big0", randomClicks(spleens.get(0), random), List.of())
                                .millis());
            }
            report("warm clicks 1 s apart, image cached, one client", paced);
            System.out.println("server stages of the last warm click (s): " + last.latencies());

            // 4 clients on 4 images at once; each reply must equal the one its request gets alone
            List<List<List<int[]>>> requests = new ArrayList<>();
            List<List<byte[]>> alone = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                List<List<int[]>> mine = new ArrayList<>();
                List<byte[]> replies = new ArrayList<>();
                for (int n = 0; n < 3; n++) {
                    List<int[]> fg = randomClicks(spleens.get(c), random);
                    mine.add(fg);
                    replies.add(click(client, base, "big" + c, fg, List.of()).label());
                }
                requests.add(mine);
                alone.add(replies);
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Double>>> futures = new ArrayList<>();
            int[] mismatches = new int[1];
            for (int c = 0; c < 4; c++) {
                int client4 = c;
                futures.add(
                        pool.submit(
                                () -> {
                                    List<Double> times = new ArrayList<>();
                                    for (int n = 0; n < perClient; n++) {
                                        Reply r =
                                                click(
                                                        client,
                                                        base,
                                                        "big" + client4,
                                                        requests.get(client4).get(n % 3),
                                                        List.of());
                                        times.add(r.millis());
                                        if (!Arrays.equals(
                                                r.label(), alone.get(client4).get(n % 3))) {
                                            synchronized (mismatches) {
                                                mismatches[0]++;
                                            }
                                        }
                                    }
                                    return times;
                                }));
            }
            List<Double> concurrent = new ArrayList<>();
            for (Future<List<Double>> f : futures) {
                concurrent.addAll(f.get());
            }
            pool.shutdown();
            report("4 clients at once on 4 cached images", concurrent);
            System.out.printf(
                    Locale.ROOT,
                    "cross-talk: %d of %d concurrent replies differ from the reply alone%n",
                    mismatches[0],
                    concurrent.size());
        }
    }

    record Reply(double millis, byte[] label, String latencies) {}

    static List<int[]> randomClicks(List<int[]> spleen, Random random) {
        int n = 1 + random.nextInt(3);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(spleen.get(random.nextInt(spleen.size())));
        }
        return out;
    }

    /**
     * Up to {@code max} voxel indices (file order [i, j, k]) with this label value, drawn evenly.
     */
    static List<int[]> voxelsOf(Volume label, int value, int max, long seed) {
        List<int[]> all = new ArrayList<>();
        int[] s = label.shape();
        for (int k = 0; k < s[2]; k += 2) {
            for (int j = 0; j < s[1]; j += 4) {
                for (int i = 0; i < s[0]; i += 4) {
                    if (label.get(i, j, k) == value) {
                        all.add(new int[] {i, j, k});
                    }
                }
            }
        }
        Collections.shuffle(all, new Random(seed));
        return all.subList(0, Math.min(max, all.size()));
    }

    /** One click as 3D Slicer sends it; the time includes reading the whole multipart reply. */
    /** GET /datastore/image read in full, as Slicer fetches the image it shows; milliseconds. */
    static double download(HttpClient client, URI base, String image) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("datastore/image?image=" + image))
                        .timeout(Duration.ofSeconds(120))
                        .GET()
                        .build();
        long t = System.nanoTime();
        HttpResponse<byte[]> reply = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double millis = (System.nanoTime() - t) / 1e6;
        if (reply.statusCode() != 200 || reply.body().length == 0) {
            throw new IllegalStateException("download of " + image + ": " + reply.statusCode());
        }
        return millis;
    }

    static Reply click(HttpClient client, URI base, String image, List<int[]> fg, List<int[]> bg)
            throws Exception {
        String params =
                String.format(
                        Locale.ROOT,
                        "{\"cache_transforms\": true, \"cache_transforms_ttl\": 300,"
                                + " \"foreground\": %s, \"background\": %s, \"label\": \"spleen\","
                                + " \"roi\": [], \"result_extension\": \".nrrd\", \"result_dtype\":"
                                + " \"uint8\", \"client_id\": \"bench\"}",
                        json(fg),
                        json(bg));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + BOUNDARY
                                + "\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n"
                                + params
                                + "\r\n--"
                                + BOUNDARY
                                + "--\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("infer/deepgrow_3d?image=" + image))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build();
        long t = System.nanoTime();
        HttpResponse<byte[]> reply = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double millis = (System.nanoTime() - t) / 1e6;
        if (reply.statusCode() != 200) {
            throw new IOException(
                    "HTTP "
                            + reply.statusCode()
                            + ": "
                            + new String(reply.body(), StandardCharsets.UTF_8));
        }
        String text = new String(reply.body(), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"latencies\"");
        String latencies = at < 0 ? "" : text.substring(at, text.indexOf('}', at) + 1);
        return new Reply(millis, labelBytes(reply), latencies);
    }

    /** The NRRD file part of the reply, decoded to its voxels (for comparing replies). */
    static byte[] labelBytes(HttpResponse<byte[]> reply) throws IOException {
        String type = reply.headers().firstValue("Content-Type").orElseThrow();
        String boundary = type.substring(type.indexOf("boundary=") + 9).replace("\"", "");
        byte[] b = reply.body();
        String text = new String(b, StandardCharsets.ISO_8859_1);
        int header = text.indexOf("filename=");
        int start = text.indexOf("\r\n\r\n", header) + 4;
        int end = text.indexOf("\r\n--" + boundary, start);
        Path tmp = Files.createTempFile("reply", ".nrrd");
        try {
            Files.write(tmp, Arrays.copyOfRange(b, start, end));
            Volume v = ImageIo.read(tmp);
            byte[] out = new byte[(int) v.voxelCount()];
            v.data().get(out);
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String json(List<int[]> points) {
        StringBuilder s = new StringBuilder("[");
        for (int[] p : points) {
            s.append(s.length() > 1 ? ", " : "")
                    .append('[')
                    .append(p[0])
                    .append(", ")
                    .append(p[1])
                    .append(", ")
                    .append(p[2])
                    .append(']');
        }
        return s.append(']').toString();
    }

    static void report(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        double p99 =
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
        System.out.printf(
                Locale.ROOT,
                "%s: n=%d, median %.0f ms, p99 %.0f ms, min %.0f, max %.0f%n",
                what,
                sorted.size(),
                median,
                p99,
                sorted.get(0),
                sorted.get(sorted.size() - 1));
    }
}
