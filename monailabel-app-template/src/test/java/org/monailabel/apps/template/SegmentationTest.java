package org.monailabel.apps.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.TestDatastores;

/**
 * The template's {@code segmentation} model segments the sample phantoms usefully from the first
 * start: the bundled weights are installed as version 1 and reach a Dice of at least 0.7 for the
 * liver and the spleen of phantoms it never saw (seeds outside the bundled model's training set).
 */
class SegmentationTest {
    @TempDir Path dir;

    @Test
    void theBundledModelSegmentsUnseenPhantoms() throws IOException {
        Path models = dir.resolve("models");
        try (var datastore = TestDatastores.create(dir.resolve("studies"));
                Segmentation task = new Segmentation()) {
            task.open(new AppContext("template", dir, models, AppConfig.empty(), datastore, "cpu"));
            ModelCard card =
                    ModelCard.read(models.resolve("segmentation").resolve(ModelCard.FILE_NAME));
            assertThat(new ModelVersions(models.resolve("segmentation"), 5).list())
                    .containsExactly(card.version());
            assertThat(task.info().labels()).containsOnlyKeys(PhantomGenerator.LABELS.keySet());

            Map<String, Double> dice = new LinkedHashMap<>();
            for (long seed : new long[] {9001, 9002}) {
                PhantomGenerator.Phantom p = PhantomGenerator.generate("unseen" + seed, seed);
                Path image = dir.resolve("unseen" + seed + ".nii.gz");
                ImageIo.write(p.image(), image, WriteOptions.defaults());
                Path work = Files.createDirectories(dir.resolve("work" + seed));
                InferenceResult result =
                        task.infer(
                                new InferenceRequest(
                                        "segmentation",
                                        image,
                                        Optional.empty(),
                                        Params.of(Map.of()),
                                        Optional.empty(),
                                        work));
                Volume label = ImageIo.read(result.file().orElseThrow());
                assertThat(label.shape()).isEqualTo(p.image().shape());
                assertThat(label.affine())
                        .isEqualTo(ImageIo.read(image).affine()); // exactly the input's grid
                for (String organ : new String[] {"liver", "spleen"}) {
                    int value = PhantomGenerator.LABELS.get(organ);
                    dice.merge(organ, dice(label, p.label(), value) / 2, Double::sum);
                }
            }
            System.out.println("Dice on unseen phantoms: " + dice);
            assertThat(dice.get("liver")).as("%s", dice).isGreaterThanOrEqualTo(0.7);
            assertThat(dice.get("spleen")).as("%s", dice).isGreaterThanOrEqualTo(0.7);
        }
    }

    /**
     * The label lands on the organs whatever the storage order of the image: phantoms of one
     * anatomy rendered on LPS, PLS, oblique (rotated 20 degrees about z and 10 about x) and
     * permuted (sagittal slices: i superior, j posterior, k left) grids, the ground truth rendered
     * by the generator on the same grid. A flipped or transposed inversion would miss them.
     */
    @Test
    void theLabelCoversTheOrgansOnEveryStorageOrder() throws IOException {
        Path models = dir.resolve("models");
        int[] axial = {192, 192, 84};
        double[] spacing = {1.9, 1.9, 3.5};
        double a = Math.toRadians(20);
        double b = Math.toRadians(10);
        // rows of R_x(b) * R_z(a) * diag(spacing)
        double[][] r = {
            {Math.cos(a), -Math.sin(a), 0},
            {Math.cos(b) * Math.sin(a), Math.cos(b) * Math.cos(a), -Math.sin(b)},
            {Math.sin(b) * Math.sin(a), Math.sin(b) * Math.cos(a), Math.cos(b)}
        };
        Map<String, Affine> grids = new LinkedHashMap<>();
        grids.put("lps", StorageOrder.LPS.affine(axial, spacing));
        grids.put("pls", StorageOrder.PLS.affine(axial, spacing));
        grids.put("oblique", centred(r, spacing, axial));
        int[] sagittal = {84, 192, 192};
        double[][] permuted = {{0, 0, -1}, {0, -1, 0}, {1, 0, 0}}; // i->S, j->P, k->L
        grids.put("permuted", centred(permuted, new double[] {3.5, 1.9, 1.9}, sagittal));
        try (var datastore = TestDatastores.create(dir.resolve("studies"));
                Segmentation task = new Segmentation()) {
            task.open(new AppContext("template", dir, models, AppConfig.empty(), datastore, "cpu"));
            for (Map.Entry<String, Affine> grid : grids.entrySet()) {
                int[] shape = grid.getKey().equals("permuted") ? sagittal : axial;
                PhantomGenerator.Phantom p =
                        PhantomGenerator.render(grid.getKey(), 9003, shape, grid.getValue());
                Path image = dir.resolve(grid.getKey() + ".nii.gz");
                ImageIo.write(p.image(), image, WriteOptions.defaults());
                InferenceResult result =
                        task.infer(
                                new InferenceRequest(
                                        "segmentation",
                                        image,
                                        Optional.empty(),
                                        Params.of(Map.of()),
                                        Optional.empty(),
                                        Files.createDirectories(
                                                dir.resolve("w-" + grid.getKey()))));
                Volume label = ImageIo.read(result.file().orElseThrow());
                assertThat(label.shape()).isEqualTo(shape);
                assertThat(label.affine().approximatelyEquals(grid.getValue(), 1e-4)).isTrue();
                for (String organ : new String[] {"liver", "spleen"}) {
                    double d = dice(label, p.label(), PhantomGenerator.LABELS.get(organ));
                    System.out.printf("%s %s Dice %.3f%n", grid.getKey(), organ, d);
                    assertThat(d).as("%s on the %s grid", organ, grid.getKey()).isGreaterThan(0.7);
                }
            }
        }
    }

    /** The affine with these direction columns (rows of {@code r}) times spacing, centred. */
    private static Affine centred(double[][] r, double[] spacing, int[] shape) {
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * spacing[col];
            }
        }
        m[15] = 1;
        Affine linear = Affine.of(m);
        double[] c = linear.apply((shape[0] - 1) / 2.0, (shape[1] - 1) / 2.0, (shape[2] - 1) / 2.0);
        return linear.withTranslation(-c[0], -c[1], -c[2]);
    }

    static double dice(Volume predicted, Volume truth, int value) {
        long both = 0;
        long a = 0;
        long b = 0;
        for (long v = 0; v < truth.voxelCount(); v++) {
            boolean p = predicted.get(v) == value;
            boolean t = truth.get(v) == value;
            both += p && t ? 1 : 0;
            a += p ? 1 : 0;
            b += t ? 1 : 0;
        }
        return a + b == 0 ? 1 : 2.0 * both / (a + b);
    }
}
