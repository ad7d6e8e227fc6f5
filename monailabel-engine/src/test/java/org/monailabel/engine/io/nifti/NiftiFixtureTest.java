package org.monailabel.engine.io.nifti;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.TestFiles;
import org.monailabel.testing.Fixtures;

/** Reads the synthetic CT fixture and compares it with nibabel's facts in expected.json. */
class NiftiFixtureTest {
    private static final Path DIR = Fixtures.root().resolve("nifti");

    private static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve("expected.json")))
                .getAsJsonObject();
    }

    private static Volume read(String name) throws IOException {
        return new NiftiReader().read(DIR.resolve(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"synth_ct_64x64x48.nii", "synth_ct_64x64x48.nii.gz"})
    void matchesNibabelShapeTypeAndAffine(String name) throws IOException {
        JsonObject expected = expected();
        Volume volume = read(name);
        assertThat(volume.type()).isEqualTo(VoxelType.INT16);
        assertThat(volume.shape()).containsExactly(64, 64, 48);
        JsonArray rows = expected.getAsJsonArray("affine_img_affine");
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                double value = rows.get(r).getAsJsonArray().get(c).getAsDouble();
                assertThat(volume.affine().get(r, c))
                        .as("affine[%d][%d]", r, c)
                        .isCloseTo(value, within(1e-5));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"synth_ct_64x64x48.nii", "synth_ct_64x64x48.nii.gz"})
    void matchesNibabelVoxelsSumAndProbes(String name) throws IOException {
        JsonObject expected = expected();
        Volume volume = read(name);
        assertThat(TestFiles.sha256(TestFiles.littleEndianBytes(volume)))
                .isEqualTo(expected.get("data_sha256_file_order_int16le").getAsString());
        long sum = 0;
        for (long i = 0; i < volume.voxelCount(); i++) {
            sum += (long) volume.get(i);
        }
        assertThat(sum).isEqualTo(expected.get("sum").getAsLong());
        for (Map.Entry<String, JsonElement> probe :
                expected.getAsJsonObject("voxel_probes_ijk").entrySet()) {
            String[] ijk = probe.getKey().split(",");
            int i = Integer.parseInt(ijk[0]);
            int j = Integer.parseInt(ijk[1]);
            int k = Integer.parseInt(ijk[2]);
            assertThat(volume.get(i, j, k))
                    .as(probe.getKey())
                    .isEqualTo(probe.getValue().getAsDouble());
            JsonArray world =
                    expected.getAsJsonObject("world_of_probes").getAsJsonArray(probe.getKey());
            double[] ours = volume.affine().apply(i, j, k);
            for (int a = 0; a < 3; a++) {
                assertThat(ours[a]).isCloseTo(world.get(a).getAsDouble(), within(1e-5));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"synth_ct_64x64x48.nii", "synth_ct_64x64x48.nii.gz"})
    void qformMatchesNibabelQform(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(DIR.resolve("synth_ct_64x64x48.nii"));
        NiftiHeaders.Sized sized = NiftiHeaders.sizeOf(bytes);
        NiftiHeader header = NiftiHeaders.decode(Arrays.copyOf(bytes, sized.size()), sized);
        NiftiHeader qformOnly =
                new NiftiHeader(
                        1,
                        header.order(),
                        header.dim(),
                        header.datatype(),
                        header.pixdim(),
                        header.voxOffset(),
                        header.sclSlope(),
                        header.sclInter(),
                        header.xyztUnits(),
                        header.qformCode(),
                        0,
                        header.quatern(),
                        header.qoffset(),
                        header.srow(),
                        0,
                        "");
        JsonArray rows = expected().getAsJsonArray("affine_qform");
        var affine = NiftiAffines.choose(qformOnly);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                assertThat(affine.get(r, c))
                        .isCloseTo(rows.get(r).getAsJsonArray().get(c).getAsDouble(), within(1e-6));
            }
        }
        assertThat(read(name).metadata())
                .containsEntry("format", "nifti1")
                .containsEntry("nifti.qform_code", 1);
    }
}
