package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.dicom.ExternalTools;

/**
 * {@code GET /metrics} after a few requests, parsed by Prometheus' own Python client ({@code
 * interop/prometheus_parse.py}, Debian's {@code python3-prometheus-client}): requests by route and
 * status, latency histograms whose buckets add up, inference latency per model, queue and job
 * gauges, datastore counts and memory. Skipped without the parser (failed in CI).
 */
class HttpMetricsTest {
    @TempDir Path root;

    @Test
    void metricsParseWithPrometheusAndCountWhatHappened() throws Exception {
        ExternalTools.assumeCommand(
                "prometheus_client",
                NibabelProcess.PYTHON,
                "-c",
                "import prometheus_client.parser");
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(TestImages.image(1), studies.resolve("a.nii.gz"));
        TestImages.write(TestImages.image(2), studies.resolve("b.nii.gz"));
        try (TestServer server = TestServer.start(root)) {
            assertThat(server.get("/info/").statusCode()).isEqualTo(200);
            assertThat(server.get("/info/").statusCode()).isEqualTo(200);
            assertThat(server.get("/datastore/image?image=nope").statusCode()).isEqualTo(404);
            HttpResponse<byte[]> inferred =
                    server.multipart(
                            "POST",
                            "/infer/threshold?image=a",
                            new SlicerMultipart().field("params", "{}"));
            assertThat(inferred.statusCode()).isEqualTo(200);

            HttpResponse<String> metrics = server.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("text/plain; version=0.0.4");
            Path text = Files.writeString(root.resolve("metrics.txt"), metrics.body());
            Path out = root.resolve("parsed.json");
            NibabelProcess.run(
                    Files.createTempDirectory(root, "py"),
                    "prometheus_parse.py",
                    List.of(text.toString(), out.toString()));
            JsonObject families = JsonParser.parseString(Files.readString(out)).getAsJsonObject();

            assertThat(
                            families.getAsJsonObject("monailabel_http_requests")
                                    .get("type")
                                    .getAsString())
                    .isEqualTo("counter");
            assertThat(
                            value(
                                    families,
                                    "monailabel_http_requests",
                                    "monailabel_http_requests_total",
                                    "route",
                                    "/info",
                                    "status",
                                    "200"))
                    .isEqualTo(2);
            assertThat(
                            value(
                                    families,
                                    "monailabel_http_requests",
                                    "monailabel_http_requests_total",
                                    "route",
                                    "/datastore/image",
                                    "status",
                                    "404"))
                    .isEqualTo(1);
            // a histogram: cumulative buckets, +Inf equal to the count
            JsonObject inference =
                    families.getAsJsonObject("monailabel_inference_duration_seconds");
            assertThat(inference.get("type").getAsString()).isEqualTo("histogram");
            List<Double> buckets = new ArrayList<>();
            double count = -1;
            for (JsonElement e : inference.getAsJsonArray("samples")) {
                JsonArray s = e.getAsJsonArray();
                assertThat(s.get(1).getAsJsonObject().get("model").getAsString())
                        .isEqualTo("threshold");
                if (s.get(0).getAsString().endsWith("_bucket")) {
                    buckets.add(s.get(2).getAsDouble());
                } else if (s.get(0).getAsString().endsWith("_count")) {
                    count = s.get(2).getAsDouble();
                }
            }
            assertThat(count).isEqualTo(1);
            assertThat(buckets).isSorted().last().isEqualTo(1.0);
            assertThat(
                            value(
                                    families,
                                    "monailabel_datastore_images",
                                    "monailabel_datastore_images"))
                    .isEqualTo(2);
            assertThat(
                            value(
                                    families,
                                    "monailabel_job_running",
                                    "monailabel_job_running",
                                    "kind",
                                    "train"))
                    .isZero();
            assertThat(
                            value(
                                    families,
                                    "monailabel_process_resident_memory_bytes",
                                    "monailabel_process_resident_memory_bytes"))
                    .isGreaterThan(1e7);
            assertThat(
                            value(
                                    families,
                                    "monailabel_jvm_memory_used_bytes",
                                    "monailabel_jvm_memory_used_bytes",
                                    "area",
                                    "heap"))
                    .isPositive();
            assertThat(families.has("monailabel_inference_waiting")).isTrue();
        }
    }

    /** The value of the one sample of a family whose name and labels match. */
    private static double value(
            JsonObject families, String family, String sample, String... labels) {
        JsonObject f = families.getAsJsonObject(family);
        assertThat(f).as(family).isNotNull();
        List<Double> found = new ArrayList<>();
        for (JsonElement e : f.getAsJsonArray("samples")) {
            JsonArray s = e.getAsJsonArray();
            if (!s.get(0).getAsString().equals(sample)) {
                continue;
            }
            JsonObject l = s.get(1).getAsJsonObject();
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= l.has(labels[i]) && l.get(labels[i]).getAsString().equals(labels[i + 1]);
            }
            if (match) {
                found.add(s.get(2).getAsDouble());
            }
        }
        assertThat(found).as("%s %s", sample, List.of(labels)).hasSize(1);
        return found.get(0);
    }
}
