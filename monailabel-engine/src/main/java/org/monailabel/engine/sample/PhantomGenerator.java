package org.monailabel.engine.sample;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Deterministic CT-like phantoms in Hounsfield units with exact ground truth: a body outline with
 * skin and fat, lungs, aorta, liver, spleen, kidneys and spine, as smooth random shapes with
 * contrast-phase intensities, texture and noise. The same seed always gives the same voxels,
 * whatever the number of threads. Thread-safe.
 *
 * <pre>{@code
 * Phantom p = PhantomGenerator.generate("phantom_003", 42 + 3);              // random layout
 * Phantom q = PhantomGenerator.render("big", 7, new int[] {512, 512, 120},
 *         new double[] {0.8, 0.8, 2.5}, StorageOrder.LPS);                    // chosen layout
 * }</pre>
 */
public final class PhantomGenerator {
    /** Label names and their values in the ground-truth label maps. */
    public static final Map<String, Integer> LABELS = labels();

    private static final double[] SLICE_SPACINGS = {1.5, 2.0, 2.5, 3.0, 5.0};

    /**
     * A phantom study: an {@code int16} CT and its {@code uint8} label map on exactly the same
     * grid.
     */
    public record Phantom(String id, Volume image, Volume label) {
        public Phantom {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(label, "label");
        }
    }

    private PhantomGenerator() {}

    private static Map<String, Integer> labels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("liver", Anatomy.LIVER);
        m.put("spleen", Anatomy.SPLEEN);
        m.put("kidney_left", Anatomy.KIDNEY_LEFT);
        m.put("kidney_right", Anatomy.KIDNEY_RIGHT);
        m.put("spine", Anatomy.SPINE);
        return Collections.unmodifiableMap(m);
    }

    /**
     * A phantom with a layout chosen from the seed: about 256x256 in-plane at 1.3 to 1.8 mm, slices
     * of 1.5 to 5 mm covering 250 to 320 mm, in one of the {@link StorageOrder}s.
     */
    public static Phantom generate(String id, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int inPlane = 224 + 16 * r.nextInt(5);
        double pixel = (330 + 70 * r.nextDouble()) / inPlane;
        double slice = SLICE_SPACINGS[r.nextInt(SLICE_SPACINGS.length)];
        int slices = (int) Math.round((250 + 70 * r.nextDouble()) / slice);
        StorageOrder order = StorageOrder.values()[r.nextInt(StorageOrder.values().length)];
        int rows = order == StorageOrder.PLS ? inPlane - 32 : inPlane;
        return render(
                id,
                seed,
                new int[] {inPlane, rows, slices},
                new double[] {pixel, pixel, slice},
                order);
    }

    /** A phantom on a chosen grid: shape and spacing per voxel axis, centred on the anatomy. */
    public static Phantom render(
            String id, long seed, int[] shape, double[] spacing, StorageOrder order) {
        Affine affine = order.affine(shape, spacing);
        return render(id, seed, shape, affine);
    }

    /** A phantom on any grid (oblique too): the anatomy sits around the world origin. */
    public static Phantom render(String id, long seed, int[] shape, Affine affine) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("A phantom is 3-D");
        }
        Anatomy anatomy = new Anatomy(seed);
        Volume image = Volume.allocate(VoxelType.INT16, affine, shape);
        Volume label = Volume.allocate(VoxelType.UINT8, affine, shape);
        ByteBuffer hu = image.data().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer lab = label.data();
        int nx = shape[0];
        int ny = shape[1];
        double[] origin = affine.apply(0, 0, 0);
        double[] di = delta(affine, 1, 0, 0);
        double[] dj = delta(affine, 0, 1, 0);
        double[] dk = delta(affine, 0, 0, 1);
        IntStream.range(0, shape[2])
                .parallel()
                .forEach(
                        k -> {
                            SplittableRandom noise =
                                    new SplittableRandom(ValueNoise.mix(seed * 31 + k));
                            int slice = k * nx * ny;
                            for (int j = 0; j < ny; j++) {
                                double x0 = origin[0] + j * dj[0] + k * dk[0];
                                double y0 = origin[1] + j * dj[1] + k * dk[1];
                                double z0 = origin[2] + j * dj[2] + k * dk[2];
                                for (int i = 0; i < nx; i++) {
                                    Anatomy.Tissue t =
                                            anatomy.at(
                                                    x0 + i * di[0], y0 + i * di[1], z0 + i * di[2]);
                                    double value =
                                            t.hu()
                                                    + (t.hu() > -990
                                                            ? anatomy.noiseSigma
                                                                    * noise.nextGaussian()
                                                            : 3 * noise.nextGaussian());
                                    int index = slice + j * nx + i;
                                    hu.putShort(
                                            index * 2,
                                            (short)
                                                    Math.max(
                                                            -1024,
                                                            Math.min(3071, Math.round(value))));
                                    lab.put(index, (byte) t.label());
                                }
                            }
                        });
        return new Phantom(id, image, label);
    }

    private static double[] delta(Affine a, int i, int j, int k) {
        return new double[] {
            a.get(0, 0) * i + a.get(0, 1) * j + a.get(0, 2) * k,
            a.get(1, 0) * i + a.get(1, 1) * j + a.get(1, 2) * k,
            a.get(2, 0) * i + a.get(2, 1) * j + a.get(2, 2) * k
        };
    }
}
