package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;

/**
 * A click's crop is prepared from the image as read for that region alone, with exactly (bit for
 * bit) the values the whole prepared image has there: for a window that rescales by the whole
 * image's range too, settled from the crop and a few probe planes, or by the whole image where they
 * cannot settle it.
 */
class PreparedRegionTest {
    @TempDir Path dir;

    static ModelCard card(IntensityWindow window) {
        return new ModelCard(
                "m",
                1,
                "unet",
                Map.of(),
                "w",
                Map.of("background", 0, "a", 1),
                new double[] {2, 2, 2},
                window,
                new int[] {16, 16, 16},
                0,
                1,
                BlendMode.CONSTANT,
                Map.of());
    }

    static final List<CropBox> BOXES =
            List.of(
                    new CropBox(new int[] {10, 12, 8}, new int[] {16, 16, 16}),
                    new CropBox(new int[] {-5, -3, -6}, new int[] {16, 16, 16}),
                    new CropBox(new int[] {40, 30, 20}, new int[] {16, 16, 16}));

    Path file() throws Exception {
        Path f = dir.resolve("f.nii.gz");
        Files.writeString(f, "not read: the tests hand the image over");
        return f;
    }

    /** Same crop values as the whole image's, and whether the whole image was needed. */
    boolean cropsMatchTheWholeImage(Volume image, ModelCard card) throws Exception {
        Path f = file();
        PreparedImages.Entry regions =
                new PreparedImages(1L << 30, 300, System::nanoTime)
                        .get("a", f, card, file -> image);
        PreparedImages.Entry whole =
                new PreparedImages(1L << 30, 300, System::nanoTime)
                        .get("a", f, card, file -> image);
        float[] all = whole.input();
        for (CropBox box : BOXES) {
            float[] expected = box.crop(all, whole.grid().shape(), -1f);
            float[] got = regions.crop(box, -1f);
            assertThat(got).as("%s", box).hasSameSizeAs(expected);
            for (int i = 0; i < got.length; i++) {
                assertThat(Float.floatToIntBits(got[i]))
                        .as("%s voxel %d: %s vs %s", box, i, got[i], expected[i])
                        .isEqualTo(Float.floatToIntBits(expected[i]));
            }
        }
        boolean needed = regions.hasWholeImage();
        PreparedImages.Entry settled =
                new PreparedImages(1L << 30, 300, System::nanoTime)
                        .get("a", f, card, file -> image);
        settled.settleRange(); // as a prefetch does: the same crops after it
        assertThat(settled.hasWholeImage()).isEqualTo(needed);
        for (CropBox box : BOXES) {
            assertThat(settled.crop(box, -1f)).isEqualTo(regions.crop(box, -1f));
        }
        return needed;
    }

    static Volume ct() {
        return PhantomGenerator.render(
                        "p",
                        7,
                        new int[] {96, 80, 40},
                        new double[] {0.9, 0.9, 2.5},
                        StorageOrder.LPS)
                .image();
    }

    static Volume ramp(IntUnaryOperator valueAtI) {
        Volume v = Volume.allocate(VoxelType.INT16, Affine.diagonal(1, 1, 2), 90, 70, 30);
        for (int k = 0; k < 30; k++) {
            for (int j = 0; j < 70; j++) {
                for (int i = 0; i < 90; i++) {
                    v.set(i + 90L * (j + 70L * k), valueAtI.applyAsInt(i) + (j % 5) - k % 3);
                }
            }
        }
        return v;
    }

    @Test
    void aCtCropNeedsNeitherTheWholeImageNorItsRange() throws Exception {
        // the small phantom has no air (its darkest voxel is -200 HU): the spleen app's window
        assertThat(cropsMatchTheWholeImage(ct(), card(IntensityWindow.ct(-57, 164)))).isFalse();
    }

    @Test
    void probePlanesSettleTheRangeWhereTheCropDoesNotReachTheWindowsEnds() throws Exception {
        // -1000 at the left edge, +1000 at the right, mid-grey where the crops are
        Volume image = ramp(i -> i < 4 ? -1000 : i >= 86 ? 1000 : 10);
        assertThat(cropsMatchTheWholeImage(image, card(IntensityWindow.ct(-100, 100)))).isFalse();
    }

    @Test
    void axialProbePlanesFindAColumnThatNoSagittalPlaneCrosses() throws Exception {
        // air at the left edge, a bright 4x4-voxel column along z at i = 54..57, j = 40..43 (the
        // network grid's x = 27..28, between the sagittal probe planes at 25 and 31, and y =
        // 20..21,
        // between the coronal ones at 19 and 24), mid-grey where the crops are
        Volume image = ramp(i -> i < 4 ? -1000 : 10);
        for (int k = 0; k < 30; k++) {
            for (int j = 40; j < 44; j++) {
                for (int i = 54; i < 58; i++) {
                    image.set(i + 90L * (j + 70L * k), 1000);
                }
            }
        }
        assertThat(cropsMatchTheWholeImage(image, card(IntensityWindow.ct(-100, 100)))).isFalse();
    }

    @Test
    void anImageInsideTheWindowIsRescaledByItsWholeRange() throws Exception {
        Volume image = ramp(i -> i - 45); // never clipped: only the whole image knows its range
        assertThat(cropsMatchTheWholeImage(image, card(IntensityWindow.ct(-100, 100)))).isTrue();
    }

    @Test
    void aWindowWithoutClippingIsRescaledByTheWholeRange() throws Exception {
        IntensityWindow unclipped = new IntensityWindow(-100, 100, 0, 1, false, true, -1, 1);
        assertThat(cropsMatchTheWholeImage(ct(), card(unclipped))).isTrue();
    }

    @Test
    void aWindowWithoutRescaleIsPointwise() throws Exception {
        IntensityWindow plain = new IntensityWindow(-100, 100, 0, 1, false, false, -1, 1);
        assertThat(cropsMatchTheWholeImage(ramp(i -> 3 * i - 100), card(plain))).isFalse();
    }

    @Test
    void requestsForAnImageBeingReadWaitForThatOneRead() throws Exception {
        Path f = file();
        Volume image = ct();
        PreparedImages cache = new PreparedImages(1L << 30, 300, System::nanoTime);
        ModelCard card = card(IntensityWindow.ct(-175, 250));
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PreparedImages.Reader slow =
                file -> {
                    reads.incrementAndGet();
                    reading.countDown();
                    try {
                        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                    return image;
                };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<PreparedImages.Entry> first = pool.submit(() -> cache.get("a", f, card, slow));
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            Future<PreparedImages.Entry> second = pool.submit(() -> cache.get("a", f, card, slow));
            Thread.sleep(100);
            assertThat(second.isDone()).isFalse();
            release.countDown();
            assertThat(second.get(10, TimeUnit.SECONDS)).isSameAs(first.get(10, TimeUnit.SECONDS));
            assertThat(reads.get()).isEqualTo(1);
            assertThat(cache.counters()).containsEntry("misses", 1L).containsEntry("entries", 1L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedReadIsReportedToEveryoneWaitingAndTriedAgainNextTime() throws Exception {
        Path f = file();
        PreparedImages cache = new PreparedImages(1L << 30, 300, System::nanoTime);
        ModelCard card = card(IntensityWindow.ct(-175, 250));
        PreparedImages.Reader broken =
                file -> {
                    throw new java.io.IOException("truncated");
                };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.get("a", f, card, broken))
                .hasMessage("truncated");
        assertThat(cache.get("a", f, card, file -> ct()).grid().shape()).hasSize(3);
    }
}
