package org.monailabel.engine.datastore.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.dicomweb.DicomWebClient;
import org.monailabel.engine.dicomweb.DicomWebCredentials;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.dicom.DicomSeries;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Orthanc;

/**
 * How long reading a 512 x 512 x 100 int16 series (written by pydicom, uploaded into Orthanc)
 * through {@link DicomWebSource#read} takes, beside the raw WADO-RS transfer of the same series and
 * assembling the local files. Printed, not asserted (timings depend on the machine); only the
 * volume's shape is checked. Skipped, saying why, without Orthanc (failed under CI) or pydicom.
 */
class DicomWebRetrieveTimingTest {
    private static final int RUNS = 3;

    @TempDir Path dir;

    @Test
    void printsRetrieveAndAssembleTimeBesideTheRawTransfer() throws Exception {
        Orthanc.assumeInstalled();
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        Path written = Files.createDirectories(dir.resolve("written"));
        NibabelProcess.run(written, "pydicom_write_pacs.py", List.of(written.toString(), "big"));
        JsonObject big =
                JsonParser.parseString(Files.readString(written.resolve("pacs.json")))
                        .getAsJsonObject()
                        .getAsJsonObject("big");
        String study = big.get("study").getAsString();
        String series = big.get("series").getAsString();
        List<Path> files;
        try (Stream<Path> s = Files.list(written.resolve("big"))) {
            files = s.sorted().toList();
        }
        long fileBytes = 0;
        for (Path f : files) {
            fileBytes += Files.size(f);
        }

        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"));
                DicomWebSource source =
                        new DicomWebSource(
                                new DicomWebClient(
                                        orthanc.dicomWebUrl(), DicomWebCredentials.none()),
                                ReadOptions.defaults(),
                                dir.resolve("work"))) {
            orthanc.uploadAll(files);
            SeriesRef ref =
                    source.list().stream()
                            .filter(r -> r.seriesUid().equals(series))
                            .findFirst()
                            .orElseThrow();
            DicomWebClient client = source.client();

            long[] raw = new long[RUNS];
            long[] toFiles = new long[RUNS];
            long[] read = new long[RUNS];
            long[] local = new long[RUNS];
            long transferred = 0;
            for (int run = -1; run < RUNS; run++) { // run -1 warms up Orthanc and the JIT
                long t0 = System.nanoTime();
                try (DicomWebClient.Response r =
                        client.send(
                                "GET",
                                "/studies/" + study + "/series/" + series,
                                Map.of(
                                        "Accept",
                                        List.of(
                                                "multipart/related; type=\"application/dicom\";"
                                                        + " transfer-syntax="
                                                        + DicomWebClient
                                                                .EXPLICIT_VR_LITTLE_ENDIAN)),
                                null)) {
                    assertThat(r.status()).isEqualTo(200);
                    transferred = drain(r.body());
                }
                long t1 = System.nanoTime();
                Path target = dir.resolve("files-" + (run + 1));
                List<Path> retrieved = client.retrieveSeries(study, series, target);
                long t2 = System.nanoTime();
                Volume fromPacs = source.read(ref);
                long t3 = System.nanoTime();
                Volume fromFiles = new DicomSeries().read(files);
                long t4 = System.nanoTime();
                assertThat(retrieved).hasSize(100);
                assertThat(fromPacs.shape()).containsExactly(512, 512, 100);
                assertThat(fromFiles.shape()).containsExactly(512, 512, 100);
                for (Path f : retrieved) {
                    Files.delete(f);
                }
                if (run >= 0) {
                    raw[run] = t1 - t0;
                    toFiles[run] = t2 - t1;
                    read[run] = t3 - t2;
                    local[run] = t4 - t3;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "DICOMweb timing, 512x512x100 int16 from Orthanc (%d files, %.1f MB; WADO-RS"
                            + " answer %.1f MB), median of %d:%n"
                            + "  raw WADO-RS transfer (read and discarded)     %6d ms (%.0f MB/s)%n"
                            + "  retrieveSeries: multipart parsed to files      %6d ms%n"
                            + "  DicomWebSource.read: retrieve+parse+assemble   %6d ms%n"
                            + "  DicomSeries.read of the local pydicom files    %6d ms%n",
                    files.size(),
                    fileBytes / 1e6,
                    transferred / 1e6,
                    RUNS,
                    median(raw) / 1_000_000,
                    transferred / 1e6 / (median(raw) / 1e9),
                    median(toFiles) / 1_000_000,
                    median(read) / 1_000_000,
                    median(local) / 1_000_000);
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
        }
        return total;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
