package org.monailabel.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.monailabel.api.AppConfig;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.datastore.dicom.DicomWebSource;
import org.monailabel.engine.datastore.dicom.DicomWebStudies;
import org.monailabel.engine.datastore.dicom.SeriesDatastore;
import org.monailabel.engine.datastore.dicom.SeriesRef;
import org.monailabel.engine.dicomweb.DicomWebClient;
import org.monailabel.engine.dicomweb.DicomWebCredentials;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.dicom.DicomSeriesWriter;
import org.monailabel.engine.io.dicom.ReferencedSeries;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.Orthanc;

/**
 * A CT series from a real Orthanc (started here, Debian's {@code orthanc} and {@code
 * orthanc-dicomweb}) to a volume, against the raw WADO-RS transfer of the same bytes; and the
 * prefetch of the next sample. Two phantom CT series of 512x512xN int16 slices (default N = 300)
 * are written with our DICOM writer and uploaded. Measured, median of the runs:
 *
 * <ul>
 *   <li>raw: the WADO-RS multipart answer read to its end and thrown away;
 *   <li>read: {@link DicomWebSource#read} (retrieve to files, parse, assemble the volume);
 *   <li>serve: a datastore's first {@code imageFile} of the series (read + the NIfTI written);
 *   <li>next sample: {@code nextSample} + {@code imageFile} for the first sample (fetched on
 *       demand) and for the second, asked after the first's annotation time (prefetched).
 * </ul>
 *
 * <pre>benchmarks/run DicomWebBenchmark [slices] [runs]</pre>
 */
public final class DicomWebBenchmark {
    private DicomWebBenchmark() {}

    public static void main(String[] args) throws Exception {
        int slices = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path work = Files.createTempDirectory("dicomweb-bench");
        try {
            run(work, slices, runs);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(Path work, int slices, int runs) throws Exception {
        int[] shape = {512, 512, slices};
        List<ReferencedSeries> written = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int s = 0; s < 2; s++) {
            Volume ct =
                    PhantomGenerator.render(
                                    "bench" + s,
                                    7 + s,
                                    shape,
                                    new double[] {0.75, 0.75, 1.0},
                                    StorageOrder.LPS)
                            .image();
            written.add(
                    new DicomSeriesWriter(
                                    DicomSeriesWriter.Options.of(
                                            ReferencedSeries.PatientStudy.empty()))
                            .write(ct, work.resolve("series" + s)));
        }
        long bytes;
        try (Stream<Path> files = Files.walk(work.resolve("series0"))) {
            bytes = files.filter(Files::isRegularFile).mapToLong(DicomWebBenchmark::size).sum();
        }
        System.out.printf(
                Locale.ROOT,
                "2 series of 512x512x%d int16 (%.1f MB of DICOM each) written in %.1f s%n",
                slices,
                bytes / 1e6,
                (System.nanoTime() - t0) / 1e9);
        try (Orthanc orthanc = Orthanc.start(work.resolve("orthanc"))) {
            t0 = System.nanoTime();
            for (int s = 0; s < 2; s++) {
                try (Stream<Path> files = Files.list(work.resolve("series" + s))) {
                    orthanc.uploadAll(files.sorted().toList());
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "uploaded to Orthanc %s in %.1f s%n",
                    orthanc.dicomWebUrl(),
                    (System.nanoTime() - t0) / 1e9);
            ReferencedSeries a = written.get(0);
            String url =
                    orthanc.dicomWebUrl()
                            + "/studies/"
                            + a.studyInstanceUid()
                            + "/series/"
                            + a.seriesInstanceUid();
            HttpClient http = HttpClient.newHttpClient();
            List<Double> raw = new ArrayList<>();
            long received = 0;
            for (int r = 0; r < runs + 1; r++) {
                long start = System.nanoTime();
                HttpResponse<InputStream> response =
                        http.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .header(
                                                "Accept",
                                                "multipart/related; type=\"application/dicom\";"
                                                        + " transfer-syntax=1.2.840.10008.1.2.1")
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    received = in.transferTo(OutputStream.nullOutputStream());
                }
                if (r > 0) { // the first warms Orthanc's caches and the JIT
                    raw.add((System.nanoTime() - start) / 1e9);
                }
            }
            List<Double> read = new ArrayList<>();
            try (DicomWebSource source =
                    new DicomWebSource(
                            new DicomWebClient(orthanc.dicomWebUrl(), DicomWebCredentials.none()),
                            ReadOptions.defaults(),
                            work.resolve("wado"))) {
                SeriesRef ref =
                        source.list().stream()
                                .filter(x -> x.seriesUid().equals(a.seriesInstanceUid()))
                                .findFirst()
                                .orElseThrow();
                for (int r = 0; r < runs + 1; r++) {
                    long start = System.nanoTime();
                    Volume v = source.read(ref);
                    if (v.sizeZ() != slices) {
                        throw new IllegalStateException("read " + v);
                    }
                    if (r > 0) {
                        read.add((System.nanoTime() - start) / 1e9);
                    }
                }
            }
            List<Double> serve = new ArrayList<>();
            AppConfig conf = AppConfig.of(Map.of(DicomWebStudies.RESCAN_SECONDS, "0"));
            for (int r = 0; r < runs; r++) {
                try (SeriesDatastore datastore =
                        DicomWebStudies.open(
                                orthanc.dicomWebUrl(), conf, work.resolve("cache" + r))) {
                    long start = System.nanoTime();
                    datastore.imageFile(a.seriesInstanceUid());
                    serve.add((System.nanoTime() - start) / 1e9);
                }
            }
            double rawS = median(raw);
            System.out.printf(
                    Locale.ROOT,
                    "raw WADO-RS transfer   %.3f s (%.0f MB/s, %.1f MB)%n",
                    rawS,
                    received / 1e6 / rawS,
                    received / 1e6);
            System.out.printf(
                    Locale.ROOT,
                    "to a volume (read)     %.3f s = %.2fx the raw transfer%n",
                    median(read),
                    median(read) / rawS);
            System.out.printf(
                    Locale.ROOT,
                    "first serve (+NIfTI)   %.3f s = %.2fx the raw transfer%n",
                    median(serve),
                    median(serve) / rawS);
            nextSamples(orthanc, conf, work);
        }
    }

    /** Two next samples with a pause between: the second one was prepared meanwhile. */
    private static void nextSamples(Orthanc orthanc, AppConfig conf, Path work) throws Exception {
        try (SeriesDatastore datastore =
                        DicomWebStudies.open(orthanc.dicomWebUrl(), conf, work.resolve("ahead"));
                MonaiLabel monaiLabel =
                        MonaiLabel.builder()
                                .datastore(datastore)
                                .classpathApps(true)
                                .workDir(work.resolve("server"))
                                .watch(false)
                                .conf("interactive_prefetch", "false")
                                .build()) {
            long start = System.nanoTime();
            Map<String, Object> first = monaiLabel.nextSample("random", Params.empty());
            datastore.imageFile((String) first.get("id"));
            double firstS = (System.nanoTime() - start) / 1e9;
            // the annotator works on the first; the second is prepared meanwhile
            long waited = System.nanoTime();
            String other =
                    datastore.imageIds().stream()
                            .filter(id -> !id.equals(first.get("id")))
                            .findFirst()
                            .orElseThrow();
            while (!datastore.isPrepared(other)
                    && System.nanoTime() - waited < Duration.ofMinutes(5).toNanos()) {
                Thread.sleep(50);
            }
            double preparedS = (System.nanoTime() - waited) / 1e9;
            start = System.nanoTime();
            Map<String, Object> second = monaiLabel.nextSample("random", Params.empty());
            datastore.imageFile((String) second.get("id"));
            double secondS = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "next sample + image    first %.3f s (fetched on demand); second %.3f s"
                            + " (%s; prepared in the background %.1f s after the first)%n",
                    firstS,
                    secondS,
                    second.get("id").equals(other) ? "the one prepared" : "ANOTHER ONE",
                    preparedS);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
