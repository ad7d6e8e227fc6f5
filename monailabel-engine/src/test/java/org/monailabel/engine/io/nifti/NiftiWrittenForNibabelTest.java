package org.monailabel.engine.io.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.TestFiles;
import org.monailabel.engine.io.TestVolumes;
import org.monailabel.engine.io.WriteOptions;

/** Files written by {@link NiftiWriter} in many variants, read by nibabel. */
@Tag("interop")
class NiftiWrittenForNibabelTest {
    @TempDir static Path dir;
    static final Map<String, Volume> WRITTEN = new LinkedHashMap<>();
    static JsonObject facts;

    @BeforeAll
    static void writeWithOursAndReadWithNibabel() throws Exception {
        NibabelProcess.assumeNibabel();
        WriteOptions options = WriteOptions.defaults().withThreads(2);
        Affine oblique = TestVolumes.oblique();
        long seed = 1;
        for (VoxelType type : VoxelType.values()) {
            for (String ext : List.of(".nii", ".nii.gz")) {
                Volume v =
                        TestVolumes.random(type, oblique, ByteOrder.LITTLE_ENDIAN, seed++, 5, 4, 3);
                write("type_" + type.wireName() + ext, v, options);
            }
        }
        write(
                "big_endian_buffer_int32.nii",
                TestVolumes.random(VoxelType.INT32, oblique, ByteOrder.BIG_ENDIAN, 7, 6, 5, 4),
                options);
        write(
                "four_d.nii.gz",
                TestVolumes.random(
                        VoxelType.FLOAT32, oblique, ByteOrder.LITTLE_ENDIAN, 8, 4, 3, 2, 5),
                options);
        write(
                "nifti2.nii",
                TestVolumes.random(VoxelType.FLOAT64, oblique, ByteOrder.LITTLE_ENDIAN, 9, 4, 5, 6),
                options.withNiftiVersion(2));
        write(
                "nifti2_gz_level9.nii.gz",
                TestVolumes.random(VoxelType.INT16, oblique, ByteOrder.BIG_ENDIAN, 10, 4, 5, 6),
                options.withNiftiVersion(2).withGzipLevel(9));
        write(
                "axis_aligned.nii",
                TestVolumes.random(
                        VoxelType.UINT8,
                        Affine.diagonal(0.5, 0.7, 3).withTranslation(-10, 20, 30),
                        ByteOrder.LITTLE_ENDIAN,
                        11,
                        7,
                        3,
                        2),
                options);
        write(
                "two_d.nii",
                TestVolumes.random(
                        VoxelType.UINT16,
                        Affine.diagonal(-0.3, -0.3, 1),
                        ByteOrder.LITTLE_ENDIAN,
                        12,
                        9,
                        7,
                        1),
                options);
        // 4.7 MB of int16: several 1 MiB blocks deflated in parallel into one gzip member
        write(
                "multi_block_parallel.nii.gz",
                TestVolumes.random(
                        VoxelType.INT16, oblique, ByteOrder.LITTLE_ENDIAN, 13, 128, 128, 144),
                options.withThreads(3));
        write(
                "multi_block_level0.nii.gz",
                TestVolumes.random(
                        VoxelType.INT16, oblique, ByteOrder.LITTLE_ENDIAN, 14, 64, 64, 160),
                options.withGzipLevel(0));
        List<String> args = new ArrayList<>(List.of(dir.toString()));
        args.addAll(WRITTEN.keySet());
        facts =
                JsonParser.parseString(NibabelProcess.run(dir, "nibabel_read_files.py", args))
                        .getAsJsonObject();
    }

    private static void write(String name, Volume volume, WriteOptions options) throws IOException {
        new NiftiWriter(options).write(volume, dir.resolve(name));
        WRITTEN.put(name, volume);
    }

    static Stream<Arguments> files() throws Exception {
        if (facts == null) {
            writeWithOursAndReadWithNibabel();
        }
        return WRITTEN.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void nibabelReadsOurVoxelsAndAffine(String name, Volume written) {
        JsonObject f = facts.getAsJsonObject(name);
        assertThat(f.get("dtype").getAsString()).isEqualTo(written.type().wireName());
        int[] shape = NiftiNibabelInteropTest.ints(f.getAsJsonArray("shape"));
        assertThat(shape).containsExactly(written.shape());
        assertThat(f.get("sha256").getAsString())
                .isEqualTo(TestFiles.sha256(TestFiles.littleEndianBytes(written)));
        NiftiNibabelInteropTest.assertAffine(written.affine(), f.getAsJsonArray("affine"));
        assertThat(f.get("version").getAsInt()).isEqualTo(name.startsWith("nifti2") ? 2 : 1);
        assertThat(f.getAsJsonArray("units").toString()).isEqualTo("[\"mm\",\"sec\"]");
        double[] spacing = written.affine().spacing();
        for (int i = 0; i < 3; i++) {
            assertThat(f.getAsJsonArray("zooms").get(i).getAsDouble())
                    .isCloseTo(spacing[i], within(1e-5));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void qformAndSformAgreeSoItkReadsTheSameGeometry(String name, Volume written) {
        JsonObject f = facts.getAsJsonObject(name);
        assertThat(f.get("qform_code").getAsInt()).isEqualTo(1);
        assertThat(f.get("sform_code").getAsInt()).isEqualTo(1);
        JsonArray q = f.getAsJsonArray("qform");
        JsonArray s = f.getAsJsonArray("sform");
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                assertThat(q.get(r).getAsJsonArray().get(c).getAsDouble())
                        .as("qform[%d][%d]", r, c)
                        .isCloseTo(s.get(r).getAsJsonArray().get(c).getAsDouble(), within(1e-5));
            }
        }
    }
}
