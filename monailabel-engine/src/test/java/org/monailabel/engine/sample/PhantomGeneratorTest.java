package org.monailabel.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.sample.PhantomGenerator.Phantom;

class PhantomGeneratorTest {
    @Test
    void sameSeedGivesTheSameVoxels() {
        Phantom a =
                PhantomGenerator.render(
                        "a", 5, new int[] {64, 60, 40}, new double[] {5, 5, 7}, StorageOrder.LAS);
        Phantom b =
                PhantomGenerator.render(
                        "b", 5, new int[] {64, 60, 40}, new double[] {5, 5, 7}, StorageOrder.LAS);
        assertThat(a.image().data()).isEqualTo(b.image().data());
        assertThat(a.label().data()).isEqualTo(b.label().data());
        Phantom c =
                PhantomGenerator.render(
                        "c", 6, new int[] {64, 60, 40}, new double[] {5, 5, 7}, StorageOrder.LAS);
        assertThat(c.image().data()).isNotEqualTo(a.image().data());
    }

    @ParameterizedTest
    @EnumSource(StorageOrder.class)
    void everyOrganIsPresentWithPlausibleVolumeAndIntensity(StorageOrder order) {
        Phantom p =
                PhantomGenerator.render(
                        "p", 11, new int[] {96, 96, 60}, new double[] {4, 4, 5}, order);
        assertThat(p.image().type()).isEqualTo(VoxelType.INT16);
        assertThat(p.label().type()).isEqualTo(VoxelType.UINT8);
        assertThat(p.label().shape()).isEqualTo(p.image().shape());
        assertThat(p.label().affine()).isEqualTo(p.image().affine());

        Map<Integer, double[]> stats = labelStats(p); // label -> {count, sum HU}
        double voxelMl = 4 * 4 * 5 / 1000.0;
        for (int label : PhantomGenerator.LABELS.values()) {
            assertThat(stats).containsKey(label);
        }
        double liverMl = stats.get(1)[0] * voxelMl;
        double spleenMl = stats.get(2)[0] * voxelMl;
        assertThat(liverMl).isBetween(600.0, 3500.0);
        assertThat(spleenMl).isBetween(80.0, 900.0);
        assertThat(stats.get(3)[0] * voxelMl).isBetween(60.0, 400.0);
        double liverHu = stats.get(1)[1] / stats.get(1)[0];
        assertThat(liverHu).isBetween(40.0, 140.0);
        double spineHu = stats.get(5)[1] / stats.get(5)[0];
        assertThat(spineHu).isGreaterThan(200);
        double airHu = stats.get(0)[1] / stats.get(0)[0];
        assertThat(airHu).isLessThan(-300); // background: air and lungs dominate
    }

    @Test
    void organsSitOnTheAnatomicalSideWhateverTheStorageOrder() {
        for (StorageOrder order : StorageOrder.values()) {
            Phantom p =
                    PhantomGenerator.render(
                            "p", 3, new int[] {80, 80, 50}, new double[] {5, 5, 6}, order);
            double[] liver = centroidWorld(p, 1);
            double[] spleen = centroidWorld(p, 2);
            double[] spine = centroidWorld(p, 5);
            assertThat(liver[0])
                    .as("liver on the patient's right (+x in RAS), %s", order)
                    .isGreaterThan(20);
            assertThat(spleen[0]).as("spleen on the left, %s", order).isLessThan(-20);
            assertThat(spine[1]).as("spine posterior, %s", order).isLessThan(-20);
            assertThat(centroidWorld(p, 3)[0]).as("left kidney on the left").isLessThan(0);
            assertThat(centroidWorld(p, 4)[0]).as("right kidney on the right").isGreaterThan(0);
        }
    }

    @Test
    void randomLayoutsVaryInSizeSpacingAndOrder() {
        Set<StorageOrder> orders = new HashSet<>();
        Set<Double> slices = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            Volume image = PhantomGenerator.generate("s" + i, 100 + i).image();
            assertThat(image.sizeX()).isBetween(224, 288);
            assertThat(image.sizeZ()).isBetween(45, 220);
            slices.add(image.affine().spacing()[2]);
            double[] d = {
                image.affine().get(0, 0), image.affine().get(1, 1), image.affine().get(0, 1)
            };
            orders.add(
                    d[2] != 0
                            ? StorageOrder.PLS
                            : d[0] > 0
                                    ? StorageOrder.RAS
                                    : d[1] > 0 ? StorageOrder.LAS : StorageOrder.LPS);
        }
        assertThat(orders.size()).isGreaterThanOrEqualTo(3);
        assertThat(slices.size()).isGreaterThanOrEqualTo(3);
    }

    private static Map<Integer, double[]> labelStats(Phantom p) {
        Map<Integer, double[]> stats = new TreeMap<>();
        long n = p.image().voxelCount();
        for (long i = 0; i < n; i++) {
            double[] s = stats.computeIfAbsent((int) p.label().get(i), k -> new double[2]);
            s[0]++;
            s[1] += p.image().get(i);
        }
        return stats;
    }

    private static double[] centroidWorld(Phantom p, int label) {
        Volume l = p.label();
        double[] sum = new double[3];
        long count = 0;
        for (int k = 0; k < l.sizeZ(); k++) {
            for (int j = 0; j < l.sizeY(); j++) {
                for (int i = 0; i < l.sizeX(); i++) {
                    if (l.get(i, j, k) == label) {
                        double[] w = l.affine().apply(i, j, k);
                        sum[0] += w[0];
                        sum[1] += w[1];
                        sum[2] += w[2];
                        count++;
                    }
                }
            }
        }
        assertThat(count).as("voxels of label %d", label).isPositive();
        return new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
    }
}
