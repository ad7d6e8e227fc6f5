package org.monailabel.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.Datastore;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.datastore.dicom.DicomWebStudies;
import org.monailabel.engine.datastore.dicom.SeriesDatastore;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.testing.Orthanc;

/**
 * The DICOM demo dataset, loaded into a real Orthanc as the documented command does (its REST
 * {@code POST /instances}): served over DICOMweb, each series is the phantom's CT on its grid, and
 * its SEG ground truth reads back as the phantom's label voxel for voxel. Skipped without Orthanc
 * (failed in CI).
 */
class DicomSampleStudiesTest {
    @TempDir Path dir;

    @Test
    void theDemoDatasetLoadsIntoOrthancAndItsSegsAreTheGroundTruth() throws Exception {
        Orthanc.assumeInstalled();
        long seed = 42;
        List<String> ids = DicomSampleStudies.generate(dir.resolve("dcm"), 1, seed);
        assertThat(ids).containsExactly("phantom_000");
        PhantomGenerator.Phantom phantom = PhantomGenerator.generate("phantom_000", seed);
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"))) {
            try (Stream<Path> files = Files.walk(dir.resolve("dcm"))) {
                orthanc.uploadAll(
                        files.filter(f -> f.toString().endsWith(".dcm")).sorted().toList());
            }
            try (SeriesDatastore datastore =
                    DicomWebStudies.open(
                            orthanc.dicomWebUrl(),
                            AppConfig.of(Map.of(DicomWebStudies.RESCAN_SECONDS, "0")),
                            dir.resolve("cache"))) {
                assertThat(datastore.imageIds()).hasSize(1);
                String id = datastore.imageIds().get(0);
                assertThat(datastore.labeledImageIds(Datastore.FINAL)).containsExactly(id);
                // the same voxels in the world, whatever order the slices come back in (a
                // series whose slices run against row x column is read back reversed)
                Volume image = ImageIo.read(datastore.imageFile(id));
                Volume label = ImageIo.read(datastore.labelFile(id, Datastore.FINAL).orElseThrow());
                Map<?, ?> names =
                        (Map<?, ?>)
                                datastore
                                        .labelInfo(id, Datastore.FINAL)
                                        .orElseThrow()
                                        .get("label_names");
                Volume ct = phantom.image();
                Volume truth = phantom.label();
                assertThat(image.voxelCount()).isEqualTo(ct.voxelCount());
                Affine toPhantom = ct.affine().inverse();
                long differ = 0;
                long compared = 0;
                for (int k = 0; k < image.sizeZ(); k++) {
                    for (int j = 0; j < image.sizeY(); j++) {
                        for (int i = 0; i < image.sizeX(); i++) {
                            double[] w = image.affine().apply(i, j, k);
                            double[] v = toPhantom.apply(w[0], w[1], w[2]);
                            int pi = (int) Math.round(v[0]);
                            int pj = (int) Math.round(v[1]);
                            int pk = (int) Math.round(v[2]);
                            assertThat(
                                            Math.abs(v[0] - pi)
                                                    + Math.abs(v[1] - pj)
                                                    + Math.abs(v[2] - pk))
                                    .isLessThan(1e-3);
                            long at = image.index(i, j, k);
                            assertThat(image.get(at)).isEqualTo(ct.get(pi, pj, pk));
                            int got = (int) label.get(at);
                            int expected = (int) truth.get(pi, pj, pk);
                            if (got == 0 ? expected != 0 : !segmentValue(names, got, expected)) {
                                differ++;
                            }
                            compared++;
                        }
                    }
                }
                assertThat(compared).isEqualTo(truth.voxelCount());
                assertThat(differ).as("voxels differing from the ground truth").isZero();
            }
        }
    }

    /** Whether segment number {@code got}, by its name, is label value {@code expected}. */
    private static boolean segmentValue(Map<?, ?> names, int got, int expected) {
        for (Map.Entry<?, ?> e : names.entrySet()) {
            if (((Number) e.getValue()).intValue() == got) {
                Integer value = PhantomGenerator.LABELS.get(String.valueOf(e.getKey()));
                return value != null && value == expected;
            }
        }
        return false;
    }
}
