package org.monailabel.engine.io.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.TestFiles;

/** Files written by nibabel in many variants, read by {@link NiftiReader}. */
@Tag("interop")
class NiftiNibabelInteropTest {
    @TempDir static Path dir;
    static JsonObject manifest;

    @BeforeAll
    static void writeVariantsWithNibabel() throws Exception {
        NibabelProcess.assumeNibabel();
        NibabelProcess.run(dir, "nibabel_write_variants.py", List.of(dir.toString()));
        manifest =
                JsonParser.parseString(Files.readString(dir.resolve("manifest.json")))
                        .getAsJsonObject();
    }

    static Stream<Arguments> variants() throws Exception {
        writeVariantsWithNibabelIfNeeded();
        return manifest.entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), e.getValue().getAsJsonObject()));
    }

    private static void writeVariantsWithNibabelIfNeeded() throws Exception {
        if (manifest == null) {
            writeVariantsWithNibabel();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void readsNibabelFileLikeNibabel(String name, JsonObject expected) throws IOException {
        Volume volume = new NiftiReader().read(dir.resolve(expected.get("file").getAsString()));

        assertThat(volume.type().wireName()).isEqualTo(expected.get("dtype").getAsString());
        assertThat(volume.shape()).containsExactly(ints(expected.getAsJsonArray("shape")));
        assertThat(TestFiles.littleEndianBytes(volume))
                .as("voxels")
                .isEqualTo(Files.readAllBytes(dir.resolve(name + ".bin")));
        // the one deliberate difference: metres and micrometres are converted to mm (nibabel
        // ignores units)
        double unitScale =
                expected.has("unit_scale") ? expected.get("unit_scale").getAsDouble() : 1;
        Affine inNibabelUnits =
                Affine.diagonal(1 / unitScale, 1 / unitScale, 1 / unitScale)
                        .multiply(volume.affine());
        assertAffine(inNibabelUnits, expected.getAsJsonArray("affine"));
    }

    static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    static void assertAffine(Affine actual, JsonArray rows) {
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                assertThat(actual.get(r, c))
                        .as("affine[%d][%d] of %s", r, c, actual)
                        .isCloseTo(rows.get(r).getAsJsonArray().get(c).getAsDouble(), within(1e-5));
            }
        }
    }
}
