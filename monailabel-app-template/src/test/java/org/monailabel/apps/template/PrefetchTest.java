package org.monailabel.apps.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.InferRequest;
import org.monailabel.engine.Inference;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.interactive.ClickSimulator;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.sample.PhantomGenerator;

/**
 * An image handed to a client is prepared for the template's three interactive models before the
 * first click (one read for all three), and the click on it answers exactly what it answers without
 * that preparation.
 */
class PrefetchTest {
    @TempDir Path dir;

    @Test
    void aPrefetchedImageGetsTheSameAnswerAsOneReadByTheClick() throws Exception {
        Path studies = Files.createDirectories(dir.resolve("studies"));
        PhantomGenerator.Phantom p = PhantomGenerator.generate("p", 9103);
        ImageIo.write(p.image(), studies.resolve("p.nii.gz"), WriteOptions.defaults());
        byte[] spleen =
                InteractiveModelsTest.mask(p.label(), PhantomGenerator.LABELS.get("spleen"));
        int[] click = ClickSimulator.deepest(spleen, p.image().shape()).orElseThrow();
        Map<String, Object> params =
                Map.of("foreground", List.of(List.of(click[0], click[1], click[2])));

        byte[] prefetched;
        try (MonaiLabel monaiLabel = server("on", true)) {
            assertThat(monaiLabel.prefetch("p").get(120, TimeUnit.SECONDS))
                    .as("deepgrow_3d, deepgrow_2d and deepedit")
                    .isEqualTo(3);
            assertThat(monaiLabel.prefetch("no-such-image").get(120, TimeUnit.SECONDS)).isZero();
            prefetched = grow(monaiLabel, params);
            assertThat(monaiLabel.nextSample("first", org.monailabel.api.Params.of(Map.of())))
                    .containsEntry("id", "p"); // hands it out and prefetches it again: a no-op
        }
        try (MonaiLabel monaiLabel = server("off", false)) {
            assertThat(monaiLabel.prefetch("p").get(120, TimeUnit.SECONDS)).isZero();
            assertThat(grow(monaiLabel, params)).isEqualTo(prefetched);
        }
        int ones = 0;
        for (byte b : prefetched) {
            ones += b;
        }
        assertThat(ones).isPositive();
    }

    private MonaiLabel server(String name, boolean prefetch) throws Exception {
        return MonaiLabel.builder()
                .studies(dir.resolve("studies"), false)
                .workDir(dir.resolve(name))
                .classpathApps(true)
                .conf("interactive_prefetch", Boolean.toString(prefetch))
                .build();
    }

    private static byte[] grow(MonaiLabel monaiLabel, Map<String, Object> params) throws Exception {
        try (Inference inference =
                monaiLabel.infer(InferRequest.ofImage("deepgrow_3d", "p", params))) {
            var label = ImageIo.read(inference.result().file().orElseThrow());
            byte[] out = new byte[(int) label.voxelCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) label.get(i);
            }
            return out;
        }
    }
}
