package org.monailabel.engine.datastore.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.datastore.CompositeDatastore;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Poll;

/**
 * {@code --studies DIR} with DICOM files: series written by pydicom ({@code
 * interop/pydicom_write_series.py}) are copied at some depth into a studies folder beside a NIfTI
 * image and files that are not DICOM; each series must be served as an image whose id is its
 * SeriesInstanceUID, its volume equal to what the script computed with numpy, and labels saved on
 * it must survive a restart. Skipped, saying why, without pydicom.
 */
class StudiesFolderDicomTest {
    static final String OBLIQUE = "1.2.826.0.1.3680043.8.498.2.1";
    static final String SCALED = "1.2.826.0.1.3680043.8.498.2.2";
    static final String MISSING = "1.2.826.0.1.3680043.8.498.2.3";

    @TempDir static Path written;
    static JsonObject expected;
    @TempDir Path studies;

    @BeforeAll
    static void writeSeries() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(written, "pydicom_write_series.py", List.of(written.toString()));
        expected =
                JsonParser.parseString(Files.readString(written.resolve("series.json")))
                        .getAsJsonObject();
    }

    @BeforeEach
    void layOutStudies() throws IOException {
        // any nesting, any names: a patient/study/series tree, a flat folder, files without .dcm
        copy("oblique", studies.resolve("patient-a/study-1/ct"), "");
        copy("scaled", studies.resolve("patient-b"), ".dcm");
        copy("missing", studies.resolve("patient-c/broken"), "");
        Volume nifti = Volume.allocate(VoxelType.INT16, Affine.identity(), 4, 3, 2);
        ImageIo.write(nifti, studies.resolve("ct_1.nii.gz"), WriteOptions.defaults());
        Files.writeString(studies.resolve("patient-a/notes.txt"), "not an image");
        Files.write(studies.resolve("patient-a/study-1/ct/DICOMDIR-like"), new byte[200]);
    }

    private static void copy(String series, Path to, String suffix) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(written.resolve(series))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replace(".dcm", "");
                Files.copy(f, to.resolve(name + suffix));
            }
        }
    }

    @Test
    void servesEachSeriesAsAnImageBesideTheNiftiFiles() throws IOException {
        try (Datastore datastore = StudiesFolder.open(studies, false)) {
            assertThat(datastore).isInstanceOf(CompositeDatastore.class);
            SeriesDatastore series = seriesPart(datastore);
            series.convertAll();
            assertThat(datastore.imageIds()).containsExactly("ct_1", OBLIQUE, SCALED);
            assertThat(series.failures()).containsOnlyKeys(MISSING);
            assertThat(series.failures().get(MISSING)).contains("a missing slice");
            assertThat(datastore.hasImage(MISSING)).isFalse();
            assertThatThrownBy(() -> datastore.imageFile(MISSING))
                    .isInstanceOf(NotFoundException.class);

            assertVolume(datastore, OBLIQUE, "oblique");
            assertVolume(datastore, SCALED, "scaled");
            assertThat(datastore.imageFileName(OBLIQUE)).isEqualTo(OBLIQUE + ".nii.gz");
            Map<?, ?> dicom = (Map<?, ?>) datastore.imageInfo(OBLIQUE).get("dicom");
            assertThat(dicom.get("modality")).isEqualTo("CT");
            assertThat(dicom.get("instances")).isEqualTo(5L);
            assertThat(dicom.get("folder")).isEqualTo(Path.of("patient-a/study-1/ct").toString());
            assertThat(datastore.stats().total()).isEqualTo(3);
        }
    }

    @Test
    void labelsOfASeriesAreKeptAcrossRestartsAndWhenTheSeriesChanges() throws Exception {
        Path label = studies.resolve("../label-upload.nii.gz").normalize();
        try (Datastore datastore = StudiesFolder.open(studies, false)) {
            Volume image = ImageIo.read(datastore.imageFile(OBLIQUE));
            Volume painted = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
            painted.set(3 + 4L * (2 + 3L * 4), 1); // x 3, y 2, z 4
            ImageIo.write(painted, label, WriteOptions.defaults());
            datastore.saveLabel(OBLIQUE, Datastore.FINAL, label, "label.nii.gz", Map.of());
            assertThat(datastore.labeledImageIds(Datastore.FINAL)).containsExactly(OBLIQUE);
            assertThat(datastore.trainingPairs(Datastore.FINAL))
                    .extracting(p -> p.imageId())
                    .containsExactly(OBLIQUE);
            assertThatThrownBy(
                            () ->
                                    datastore.saveLabel(
                                            SCALED, "final", emptyFile(), "x.nii.gz", Map.of()))
                    .hasMessageContaining("empty");
        }
        assertThat(
                        studies.resolve(
                                StudiesFolder.DICOM_CACHE + "/labels/final/" + OBLIQUE + ".nii.gz"))
                .isRegularFile();

        // the series changes on disk (a slice rewritten): converted again, the label stays
        Path slice;
        try (Stream<Path> s = Files.list(studies.resolve("patient-a/study-1/ct"))) {
            slice =
                    s.filter(p -> p.getFileName().toString().startsWith("slice"))
                            .findFirst()
                            .orElseThrow();
        }
        Files.setLastModifiedTime(slice, FileTime.from(Instant.now().plusSeconds(5)));
        try (Datastore datastore = StudiesFolder.open(studies, false)) {
            assertThat(datastore.labeledImageIds(Datastore.FINAL)).containsExactly(OBLIQUE);
            Path before = datastore.labelFile(OBLIQUE, Datastore.FINAL).orElseThrow();
            assertThat(ImageIo.read(before).get(3, 2, 4)).isEqualTo(1.0);
            assertVolume(datastore, OBLIQUE, "oblique");
        }
    }

    @Test
    void concurrentRequestsShareOneConversionAndImagesComeOnlyFromTheFiles() throws Exception {
        try (Datastore datastore = StudiesFolder.open(studies, false)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Path>> files = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Callable<Path> get = () -> datastore.imageFile(SCALED);
                    files.add(pool.submit(get));
                }
                Path first = files.get(0).get();
                for (Future<Path> f : files) {
                    assertThat(f.get()).isEqualTo(first);
                }
            } finally {
                pool.shutdownNow();
            }
            SeriesDatastore series = seriesPart(datastore);
            Path nifti = studies.resolve("../upload.nii.gz").normalize();
            Files.copy(studies.resolve("ct_1.nii.gz"), nifti, StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> series.addImage("x", nifti, "x.nii.gz", Map.of()))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("DICOM series");
            assertThatThrownBy(() -> datastore.removeImage(OBLIQUE))
                    .isInstanceOf(ConflictException.class);
            // a new image goes to the folder of files
            assertThat(datastore.addImage("ct_2", nifti, "ct_2.nii.gz", Map.of()))
                    .isEqualTo("ct_2");
            assertThat(studies.resolve("ct_2.nii.gz")).isRegularFile();
        }
    }

    @Test
    void aBoundedCacheDropsTheLeastRecentlyUsedUnlabeledSeriesAndConvertsThemAgain(
            @TempDir Path cacheDir, @TempDir Path scratch) throws Exception {
        List<Path> excluded = List.of(studies.resolve(StudiesFolder.DICOM_CACHE));
        // one byte: every series but the one just converted (or labeled) leaves the cache
        SeriesDatastore.Options bounded =
                new SeriesDatastore.Options(Duration.ZERO, false, 1, Duration.ofSeconds(30));
        try (SeriesDatastore datastore =
                SeriesDatastore.open(
                        new DicomFolderSource(studies, excluded, ReadOptions.defaults()),
                        cacheDir,
                        bounded)) {
            assertThat(datastore.isPrepared(OBLIQUE)).isFalse();
            assertVolume(datastore, OBLIQUE, "oblique");
            assertThat(datastore.isPrepared(OBLIQUE)).isTrue();
            assertVolume(datastore, SCALED, "scaled");
            assertThat(datastore.isPrepared(SCALED)).isTrue();
            assertThat(datastore.isPrepared(OBLIQUE)).as("dropped: least recently used").isFalse();

            // prepare converts in the background (and the other series leaves)
            datastore.prepare(OBLIQUE);
            Poll.until(
                    "the oblique series prepared",
                    Duration.ofSeconds(30),
                    () -> datastore.isPrepared(OBLIQUE) && !datastore.isPrepared(SCALED));

            // a labeled series stays whatever the bound
            Path label = scratch.resolve("label.nii.gz");
            Volume image = ImageIo.read(datastore.imageFile(OBLIQUE));
            ImageIo.write(
                    Volume.allocate(VoxelType.UINT8, image.affine(), image.shape()),
                    label,
                    WriteOptions.defaults());
            datastore.saveLabel(OBLIQUE, Datastore.FINAL, label, "label.nii.gz", Map.of());
            assertVolume(datastore, SCALED, "scaled"); // converted again
            assertThat(datastore.isPrepared(SCALED)).isTrue();
            assertThat(datastore.isPrepared(OBLIQUE)).isTrue();
            assertThat(datastore.labelFile(OBLIQUE, Datastore.FINAL)).isPresent();
        }
    }

    @Test
    void aFolderWithoutDicomIsAPlainLocalDatastore() throws IOException {
        Path plain = Files.createDirectories(studies.resolve("../plain").normalize());
        ImageIo.write(
                Volume.allocate(VoxelType.INT16, Affine.identity(), 2, 2, 2),
                plain.resolve("a.nii.gz"),
                WriteOptions.defaults());
        try (Datastore datastore = StudiesFolder.open(plain, false)) {
            assertThat(datastore).isNotInstanceOf(CompositeDatastore.class);
            assertThat(datastore.imageIds()).containsExactly("a");
        }
        assertThat(plain.resolve(StudiesFolder.DICOM_CACHE)).doesNotExist();
    }

    private Path emptyFile() throws IOException {
        return Files.write(studies.resolve("../empty.nii.gz").normalize(), new byte[0]);
    }

    private static SeriesDatastore seriesPart(Datastore datastore) {
        return (SeriesDatastore) ((CompositeDatastore) datastore).parts().get(1);
    }

    private static void assertVolume(Datastore datastore, String id, String name)
            throws IOException {
        JsonObject e = expected.getAsJsonObject(name);
        Volume v = ImageIo.read(datastore.imageFile(id));
        JsonArray shape = e.getAsJsonArray("shape");
        assertThat(v.shape())
                .containsExactly(
                        shape.get(0).getAsInt(), shape.get(1).getAsInt(), shape.get(2).getAsInt());
        double[][] rows = new double[4][4];
        JsonArray affine = e.getAsJsonArray("affine");
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                rows[r][c] = affine.get(r).getAsJsonArray().get(c).getAsDouble();
            }
        }
        assertThat(v.affine().approximatelyEquals(Affine.of(rows), 1e-5))
                .as("affine %s, expected %s", v.affine(), Affine.of(rows))
                .isTrue();
        JsonArray values = e.getAsJsonArray("values");
        assertThat(values.size()).isEqualTo((int) v.voxelCount());
        for (int i = 0; i < values.size(); i++) {
            assertThat(v.get(i)).as("voxel %d", i).isEqualTo(values.get(i).getAsDouble());
        }
    }
}
