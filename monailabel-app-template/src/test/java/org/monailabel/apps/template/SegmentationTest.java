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
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.sample.PhantomGenerator;
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
