package org.monailabel.engine.datastore.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.dicomweb.DicomJson;
import org.monailabel.engine.dicomweb.DicomWebAuthenticationException;
import org.monailabel.engine.dicomweb.DicomWebClient;
import org.monailabel.engine.dicomweb.DicomWebCredentials;
import org.monailabel.engine.dicomweb.DicomWebStoreException;
import org.monailabel.engine.dicomweb.DicomWebUnavailableException;
import org.monailabel.engine.dicomweb.StoreResult;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.dicom.DicomDataset;
import org.monailabel.engine.io.dicom.DicomParser;
import org.monailabel.engine.io.dicom.DicomSeries;
import org.monailabel.engine.io.dicom.DicomTags;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Orthanc;

/**
 * {@link DicomWebSource} and {@link DicomWebClient} against a real Orthanc with its DICOMweb plugin
 * ({@link Orthanc}), holding instances written by pydicom ({@code interop/pydicom_write_pacs.py})
 * and uploaded through Orthanc's REST API: two CT series of two studies (one oblique), a SEG
 * referencing the first, an RLE-compressed series. Skipped, saying why, without Orthanc (failed
 * under CI) or pydicom.
 */
class DicomWebSourceTest {
    @TempDir static Path written;
    static JsonObject uids;

    @TempDir Path dir;
    Orthanc orthanc;
    DicomWebSource source;

    @BeforeAll
    static void writeInstances() throws IOException, InterruptedException {
        Orthanc.assumeInstalled();
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(written, "pydicom_write_pacs.py", List.of(written.toString()));
        uids =
                JsonParser.parseString(Files.readString(written.resolve("pacs.json")))
                        .getAsJsonObject();
    }

    @BeforeEach
    void startPacs() throws IOException {
        orthanc = Orthanc.start(dir.resolve("orthanc"));
        orthanc.uploadAll(files("ct1"));
        orthanc.uploadAll(files("ct2"));
        orthanc.upload(written.resolve("seg1.dcm"));
        source =
                new DicomWebSource(
                        client(DicomWebCredentials.none()), ReadOptions.defaults(), work());
    }

    @AfterEach
    void stopPacs() {
        if (source != null) {
            source.close();
        }
        if (orthanc != null) {
            orthanc.close();
        }
    }

    private DicomWebClient client(DicomWebCredentials credentials) {
        return new DicomWebClient(
                orthanc.dicomWebUrl(), credentials, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    private Path work() {
        return dir.resolve("work");
    }

    /** Series are parsed from memory: the work folder holds nothing (or was never made). */
    private void assertNoTemporaryFiles() throws IOException {
        if (Files.exists(work())) {
            assertThat(work()).isEmptyDirectory();
        }
    }

    private static List<Path> files(String series) throws IOException {
        try (Stream<Path> s = Files.list(written.resolve(series))) {
            return s.sorted().toList();
        }
    }

    private static String uid(String name, String key) {
        return uids.getAsJsonObject(name).get(key).getAsString();
    }

    private static List<String> sops(String name, String key) {
        List<String> out = new ArrayList<>();
        uids.getAsJsonObject(name).getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static Map<String, SeriesRef> byUid(List<SeriesRef> refs) {
        return refs.stream().collect(Collectors.toMap(SeriesRef::seriesUid, Function.identity()));
    }

    private static String sha256OfSorted(List<String> sopUids) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String s : sopUids.stream().sorted().toList()) {
            digest.update((s + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void listsBothImageSeriesWithStableFingerprintsAndNotTheSeg() throws Exception {
        List<SeriesRef> listed = source.list();
        assertThat(listed)
                .extracting(SeriesRef::seriesUid)
                .containsExactlyInAnyOrder(uid("ct1", "series"), uid("ct2", "series"));
        SeriesRef ct1 = byUid(listed).get(uid("ct1", "series"));
        assertThat(ct1.fingerprint()).isEqualTo(sha256OfSorted(sops("ct1", "sops")));
        assertThat(ct1.info())
                .containsEntry("study_instance_uid", uid("ct1", "study"))
                .containsEntry("modality", "CT")
                .containsEntry("series_description", "ct1 series")
                .containsEntry("patient_id", "P1")
                .containsEntry("study_date", "20261204")
                .containsEntry("instances", 4L);
        int searches = source.instanceSearches();
        assertThat(searches).isEqualTo(2);

        // unchanged series are not searched again, and their fingerprints stay
        assertThat(source.list()).isEqualTo(listed);
        assertThat(source.instanceSearches()).isEqualTo(searches);
        // another source (nothing cached) computes the same fingerprints
        try (DicomWebSource other =
                new DicomWebSource(client(DicomWebCredentials.none()), ReadOptions.defaults())) {
            assertThat(other.list()).isEqualTo(listed);
        }
    }

    @Test
    void addingAnInstanceChangesThatSeriesFingerprintOnly() throws Exception {
        Map<String, SeriesRef> before = byUid(source.list());
        int searches = source.instanceSearches();
        orthanc.upload(written.resolve("ct2_extra.dcm"));

        Map<String, SeriesRef> after = byUid(source.list());
        String ct1 = uid("ct1", "series");
        String ct2 = uid("ct2", "series");
        assertThat(after.get(ct1).fingerprint()).isEqualTo(before.get(ct1).fingerprint());
        assertThat(after.get(ct2).fingerprint())
                .isNotEqualTo(before.get(ct2).fingerprint())
                .isEqualTo(sha256OfSorted(sops("ct2", "sops_with_extra")));
        assertThat(after.get(ct2).info()).containsEntry("instances", 4L);
        assertThat(source.instanceSearches()).isEqualTo(searches + 1);
        assertThat(source.read(after.get(ct2)).shape()).containsExactly(5, 4, 4);
    }

    @Test
    void readsTheSameVolumesAsTheFilesReadDirectlyAndLeavesNoTemporaryFiles() throws IOException {
        for (SeriesRef ref : source.list()) {
            String name = ref.seriesUid().equals(uid("ct1", "series")) ? "ct1" : "ct2";
            Volume fromPacs = source.read(ref);
            Volume fromFiles = new DicomSeries().read(files(name));
            assertThat(fromPacs.shape()).as(name).containsExactly(fromFiles.shape());
            assertThat(fromPacs.type()).as(name).isEqualTo(fromFiles.type());
            assertThat(fromPacs.affine().approximatelyEquals(fromFiles.affine(), 1e-9))
                    .as("%s affine %s, files %s", name, fromPacs.affine(), fromFiles.affine())
                    .isTrue();
            for (long i = 0; i < fromFiles.voxelCount(); i++) {
                assertThat(fromPacs.get(i)).as("%s voxel %d", name, i).isEqualTo(fromFiles.get(i));
            }
        }
        assertNoTemporaryFiles();

        SeriesRef gone =
                new SeriesRef(
                        "1.2.3.4.5.6", "x", Map.of("study_instance_uid", uid("ct1", "study")));
        assertThatThrownBy(() -> source.read(gone)).isInstanceOf(NotFoundException.class);
        assertNoTemporaryFiles();
    }

    @Test
    void orthancTranscodesACompressedSeriesToExplicitVrLittleEndian() throws IOException {
        orthanc.uploadAll(files("rle"));
        SeriesRef rle = byUid(source.list()).get(uid("rle", "series"));
        Volume v = source.read(rle);
        assertThat(v.shape()).containsExactly(4, 3, 2);
        JsonArray values = uids.getAsJsonObject("rle").getAsJsonArray("values");
        for (int i = 0; i < values.size(); i++) {
            assertThat(v.get(i)).as("voxel %d", i).isEqualTo(values.get(i).getAsDouble());
        }
    }

    @Test
    void aPacsThatDoesNotTranscodeGivesTheCompressedSyntaxNamed() throws IOException {
        orthanc.uploadAll(files("rle"));
        try (NoTranscoding proxy = new NoTranscoding(orthanc.dicomWebUrl());
                DicomWebSource through =
                        new DicomWebSource(
                                new DicomWebClient(proxy.url(), DicomWebCredentials.none()),
                                ReadOptions.defaults(),
                                work())) {
            SeriesRef rle = byUid(through.list()).get(uid("rle", "series"));
            assertThatThrownBy(() -> through.read(rle))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("1.2.840.10008.1.2.5")
                    .hasMessageContaining("RLE Lossless")
                    .hasMessageContaining("not supported");
            assertThat(proxy.refused).isEqualTo(1); // asked once, then the stored syntax
            // uncompressed series still read through the stored syntax
            assertThat(through.read(byUid(through.list()).get(uid("ct1", "series"))).shape())
                    .containsExactly(6, 5, 4);
            assertThat(proxy.refused).isEqualTo(1);
        }
        assertNoTemporaryFiles();
    }

    @Test
    void findsTheSegOfASeriesByItsReferencedSeriesSequence() throws IOException {
        Map<String, SeriesRef> listed = byUid(source.list());
        assertThat(listed).doesNotContainKey(uid("seg1", "series"));
        List<SegRef> segs = source.segmentations(listed.get(uid("ct1", "series")));
        assertThat(segs).hasSize(1);
        SegRef seg = segs.get(0);
        assertThat(seg.studyUid()).isEqualTo(uid("ct1", "study"));
        assertThat(seg.seriesUid()).isEqualTo(uid("seg1", "series"));
        assertThat(seg.sopInstanceUid()).isEqualTo(sops("seg1", "sops").get(0));
        assertThat(seg.referencedSeriesUid()).isEqualTo(uid("ct1", "series"));
        assertThat(seg.info())
                .containsEntry("series_description", "segmentation of ct1")
                .containsEntry("segments", List.of("organ"));
        assertThat(source.segmentations(listed.get(uid("ct2", "series")))).isEmpty();

        Path file = source.retrieveSegmentation(seg, dir.resolve("segs"));
        assertThat(file.getFileName()).hasToString(seg.sopInstanceUid() + ".dcm");
        DicomDataset ds = new DicomParser().parseHeader(file).dataset();
        assertThat(ds.string(DicomTags.MODALITY)).contains("SEG");
        assertThat(ds.string(DicomTags.SOP_INSTANCE_UID)).contains(seg.sopInstanceUid());
    }

    @Test
    void storesAnInstanceWithStowAndRefusesOneOfAnotherStudy() throws IOException {
        String study = uid("stow", "study");
        String series = uid("stow", "series");
        String sop = sops("stow", "sops").get(0);
        StoreResult result = source.storeInstance(study, written.resolve("stow.dcm"));
        assertThat(result.stored()).containsExactly(sop);
        assertThat(result.failed()).isEmpty();
        List<DicomJson> found = source.client().searchInstances(study, series);
        assertThat(found).extracting(i -> i.string(0x00080018).orElse("")).containsExactly(sop);
        assertThat(byUid(source.list())).containsKey(series);

        // a study the instance is not part of: Orthanc lists it as failed
        assertThatThrownBy(
                        () ->
                                source.storeInstance(
                                        uid("ct1", "study"), written.resolve("stow.dcm")))
                .isInstanceOf(DicomWebStoreException.class)
                .hasMessageContaining("did not store 1 of 1")
                .hasMessageContaining(sop);
    }

    @Test
    void basicAuthenticationWorksWithTheRightCredentialsOnly() throws IOException {
        orthanc.close();
        orthanc = Orthanc.start(dir.resolve("secured"), Map.of("monai", "l4bel-secret"));
        orthanc.uploadAll(files("ct1"));
        try (DicomWebSource right =
                new DicomWebSource(
                        client(DicomWebCredentials.basic("monai", "l4bel-secret")),
                        ReadOptions.defaults())) {
            assertThat(right.list())
                    .extracting(SeriesRef::seriesUid)
                    .containsExactly(uid("ct1", "series"));
        }
        for (DicomWebCredentials wrong :
                List.of(
                        DicomWebCredentials.basic("monai", "guess"),
                        DicomWebCredentials.none(),
                        DicomWebCredentials.bearer("not-a-token"))) {
            try (DicomWebSource refused =
                    new DicomWebSource(client(wrong), ReadOptions.defaults())) {
                assertThatThrownBy(refused::list)
                        .as(wrong.toString())
                        .isInstanceOf(DicomWebAuthenticationException.class)
                        .hasMessageContaining("authentication failed")
                        .hasMessageContaining("HTTP 401")
                        .hasMessageNotContaining("guess")
                        .hasMessageNotContaining("l4bel-secret");
            }
        }
    }

    @Test
    void aPacsThatIsDownIsBusyAtOnceAndWorksAgainAfterARestart() throws IOException {
        List<SeriesRef> listed = source.list();
        orthanc.stop();
        long start = System.nanoTime();
        assertThatThrownBy(source::list)
                .isInstanceOf(DicomWebUnavailableException.class)
                .isInstanceOf(BusyException.class)
                .hasMessageContaining(orthanc.dicomWebUrl())
                .satisfies(
                        e ->
                                assertThat(((BusyException) e).retryAfterSeconds())
                                        .isEqualTo(
                                                DicomWebUnavailableException
                                                        .DEFAULT_RETRY_AFTER_SECONDS));
        assertThatThrownBy(() -> source.read(listed.get(0)))
                .isInstanceOf(DicomWebUnavailableException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThan(Duration.ofSeconds(5));

        orthanc.restart();
        assertThat(source.list()).isEqualTo(listed);
        assertThat(source.read(listed.get(0)).voxelCount()).isPositive();
    }

    /**
     * A DICOMweb peer in front of Orthanc that refuses to transcode (406 to a WADO-RS request
     * naming a transfer syntax other than {@code *}) and forwards everything else.
     */
    static final class NoTranscoding implements AutoCloseable {
        final HttpServer server;
        final HttpClient http = HttpClient.newHttpClient();
        volatile int refused;

        NoTranscoding(String target) throws IOException {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext(
                    "/",
                    exchange -> {
                        try (exchange) {
                            String accept = exchange.getRequestHeaders().getFirst("Accept");
                            if (accept != null
                                    && accept.contains("transfer-syntax=")
                                    && !accept.contains("transfer-syntax=*")) {
                                refused++;
                                exchange.sendResponseHeaders(406, -1);
                                return;
                            }
                            HttpRequest.Builder forward =
                                    HttpRequest.newBuilder(
                                            URI.create(target + exchange.getRequestURI()));
                            if (accept != null) {
                                forward.header("Accept", accept);
                            }
                            HttpResponse<InputStream> r =
                                    http.send(
                                            forward.build(),
                                            HttpResponse.BodyHandlers.ofInputStream());
                            r.headers()
                                    .firstValue("Content-Type")
                                    .ifPresent(
                                            t ->
                                                    exchange.getResponseHeaders()
                                                            .add("Content-Type", t));
                            exchange.sendResponseHeaders(r.statusCode(), 0);
                            try (InputStream in = r.body();
                                    OutputStream out = exchange.getResponseBody()) {
                                in.transferTo(out);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
