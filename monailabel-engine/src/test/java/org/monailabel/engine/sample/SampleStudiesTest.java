package org.monailabel.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.testing.Floats;

class SampleStudiesTest {
    @TempDir Path dir;

    @Test
    void writesImagesGroundTruthOnTheSameGridAndTheLabelTableLast() throws Exception {
        assertThat(SampleStudies.isComplete(dir)).isFalse();
        List<String> ids = SampleStudies.generate(dir, 2, 42);
        assertThat(ids).containsExactly("phantom_000", "phantom_001");
        assertThat(SampleStudies.isComplete(dir)).isTrue();
        for (String id : ids) {
            Volume image = ImageIo.read(dir.resolve(id + ".nii.gz"));
            Volume label = ImageIo.read(dir.resolve("ground_truth").resolve(id + ".nii.gz"));
            assertThat(label.shape()).isEqualTo(image.shape());
            assertThat(label.affine().approximatelyEquals(image.affine(), 1e-5)).isTrue();
            Volume regenerated = PhantomGenerator.generate(id, 42 + ids.indexOf(id)).image();
            Floats.assertIdentical(image.toFloatArray(), regenerated.toFloatArray());
        }
        assertThat(Files.readString(dir.resolve("ground_truth/labels.json")))
                .contains(
                        "\"liver\": 1",
                        "\"spleen\": 2",
                        "\"kidney_left\": 3",
                        "\"kidney_right\": 4",
                        "\"spine\": 5");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "phantom_000.nii.gz", "phantom_001.nii.gz", "ground_truth");
        }
    }
}
