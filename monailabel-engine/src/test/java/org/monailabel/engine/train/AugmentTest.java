package org.monailabel.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

class AugmentTest {
    static final int[] SHAPE = {20, 18, 16};

    static float[][] sample() {
        int n = SHAPE[0] * SHAPE[1] * SHAPE[2];
        float[] image = new float[n];
        float[] label = new float[n];
        for (int x = 3; x < 7; x++) {
            for (int y = 4; y < 8; y++) {
                for (int z = 5; z < 9; z++) {
                    label[(x * SHAPE[1] + y) * SHAPE[2] + z] = 1;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            image[i] = label[i] * 10 + 1;
        }
        return new float[][] {image, label};
    }

    @Test
    void positiveCropsAreCentredOnForegroundAndNegativeOnesOnBackground() {
        float[][] s = sample();
        int[] size = {8, 8, 8};
        int centre = (4 * 8 + 4) * 8 + 4;
        for (Augment.Patch p :
                Augment.cropByPosNeg(s[0], s[1], SHAPE, size, 1, 0, 10, new Random(1))) {
            assertThat(p.label()[centre]).isEqualTo(1);
            assertThat(p.image()).hasSize(512);
        }
        for (Augment.Patch p :
                Augment.cropByPosNeg(s[0], s[1], SHAPE, size, 0, 1, 10, new Random(2))) {
            assertThat(p.label()[centre]).isZero();
        }
    }

    @Test
    void cropsLargerThanTheImageArePaddedAndSeedsRepeat() {
        float[][] s = sample();
        List<Augment.Patch> a =
                Augment.cropByPosNeg(
                        s[0], s[1], SHAPE, new int[] {24, 24, 24}, 1, 1, 3, new Random(5));
        List<Augment.Patch> b =
                Augment.cropByPosNeg(
                        s[0], s[1], SHAPE, new int[] {24, 24, 24}, 1, 1, 3, new Random(5));
        assertThat(a.get(0).image()).hasSize(24 * 24 * 24);
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.equals(a.get(i).image(), b.get(i).image())).isTrue();
        }
        float sum = 0;
        for (float v : a.get(0).label()) {
            sum += v;
        }
        assertThat(sum).as("all foreground voxels kept").isEqualTo(64);
    }

    @Test
    void flipsAndRotationsKeepImageAndLabelAligned() {
        float[][] s = sample();
        Augment.Patch p =
                Augment.cropByPosNeg(
                                s[0], s[1], SHAPE, new int[] {12, 12, 10}, 1, 0, 1, new Random(3))
                        .get(0);
        Random random = new Random(4);
        for (int i = 0; i < 20; i++) {
            Augment.Patch q = Augment.flipAndRotate(p, 0.5, random);
            for (int v = 0; v < q.image().length; v++) {
                assertThat(q.image()[v]).isEqualTo(q.label()[v] * 10 + 1);
            }
            float[] before = p.image().clone();
            float[] after = q.image().clone();
            Arrays.sort(before);
            Arrays.sort(after);
            assertThat(Arrays.equals(before, after)).as("a permutation of the voxels").isTrue();
        }
        Augment.Patch shifted = Augment.shiftAndScale(p, 0.1, 0.1, new Random(6));
        assertThat(shifted.label()).isSameAs(p.label());
        assertThat(shifted.image()).isNotEqualTo(p.image());
    }

    @Test
    void savedLabelValuesMapOntoModelIndicesByName() {
        Map<String, Object> info =
                Map.of(
                        "label_info",
                        List.of(
                                Map.of("name", "spleen", "idx", 1),
                                Map.of("name", "liver", "idx", 2),
                                Map.of("name", "tumour", "idx", 3)));
        LabelMapping mapping = LabelMapping.of(info, Map.of("liver", 1, "spleen", 2));
        assertThat(mapping.indexOf(1)).isEqualTo(2);
        assertThat(mapping.indexOf(2)).isEqualTo(1);
        assertThat(mapping.indexOf(3)).as("unknown to the model").isZero();
        assertThat(mapping.indexOf(7)).as("not described").isZero();
        assertThat(LabelMapping.of(Map.of(), Map.of("liver", 1)).indexOf(5))
                .as("no label_info: already indices")
                .isEqualTo(5);
        Volume label = Volume.allocate(VoxelType.INT16, Affine.identity(), 3, 1, 1);
        label.set(0, 1);
        label.set(1, 2);
        label.set(2, 3);
        Volume mapped = mapping.apply(label);
        assertThat(mapped.toFloatArray()).containsExactly(2, 1, 0);
        assertThat(mapped.type()).isEqualTo(VoxelType.UINT8);
    }
}
