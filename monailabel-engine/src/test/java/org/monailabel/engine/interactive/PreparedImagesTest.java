package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;

class PreparedImagesTest {
    @TempDir Path dir;
    final AtomicLong now = new AtomicLong();

    static final ModelCard CARD =
            new ModelCard(
                    "m",
                    1,
                    "unet",
                    Map.of(),
                    "w",
                    Map.of("background", 0, "a", 1),
                    new double[] {2, 2, 2},
                    IntensityWindow.ct(-100, 100),
                    new int[] {16, 16, 16},
                    0,
                    1,
                    BlendMode.CONSTANT,
                    Map.of());

    Path image(String name, int fill) throws Exception {
        Volume v = Volume.allocate(VoxelType.INT16, Affine.diagonal(-1, -1, 3), 20, 16, 6);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, i % (7 + fill));
        }
        Path file = dir.resolve(name);
        ImageIo.write(v, file, WriteOptions.defaults());
        return file;
    }

    @Test
    void preparesOnceAndServesFromMemory() throws Exception {
        Path file = image("a.nii.gz", 0);
        PreparedImages cache = new PreparedImages(1 << 20, 300, now::get);
        PreparedImages.Entry first = cache.get("a", file, CARD);
        assertThat(first.grid().shape()).containsExactly(10, 8, 8); // RAS, 2 mm
        assertThat(first.inputGrid().shape()).containsExactly(20, 16, 6);
        assertThat(first.inputGrid().affine()).isEqualTo(Affine.diagonal(-1, -1, 3));
        assertThat(cache.get("a", file, CARD)).isSameAs(first);
        assertThat(cache.counters()).containsEntry("hits", 1L).containsEntry("misses", 1L);
    }

    @Test
    void preparesAgainWhenTheFileChanges() throws Exception {
        Path file = image("a.nii.gz", 0);
        PreparedImages cache = new PreparedImages(1 << 20, 300, now::get);
        PreparedImages.Entry first = cache.get("a", file, CARD);
        image("a.nii.gz", 4);
        Files.setLastModifiedTime(
                file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
        PreparedImages.Entry second = cache.get("a", file, CARD);
        assertThat(second).isNotSameAs(first);
        assertThat(second.input()).isNotEqualTo(first.input());
    }

    @Test
    void forgetsEntriesUnusedLongerThanTheTimeToLive() throws Exception {
        Path file = image("a.nii.gz", 0);
        PreparedImages cache = new PreparedImages(1 << 20, 10, now::get);
        PreparedImages.Entry first = cache.get("a", file, CARD);
        now.addAndGet(9_000_000_000L);
        assertThat(cache.get("a", file, CARD)).isSameAs(first); // use renews the time
        now.addAndGet(9_000_000_000L);
        assertThat(cache.get("a", file, CARD)).isSameAs(first);
        now.addAndGet(11_000_000_000L);
        assertThat(cache.get("a", file, CARD)).isNotSameAs(first);
        assertThat(cache.counters()).containsEntry("entries", 1L);
    }

    @Test
    void keepsWithinItsByteBudgetLeastRecentlyUsedOut() throws Exception {
        Path a = image("a.nii.gz", 0);
        Path b = image("b.nii.gz", 0);
        Path c = image("c.nii.gz", 0);
        long one = 20 * 16 * 6 * 2 + 10 * 8 * 8 * 4 + 256; // as read, and on the network grid
        PreparedImages cache = new PreparedImages(2 * one, 300, now::get);
        PreparedImages.Entry ea = cache.get("a", a, CARD);
        cache.get("b", b, CARD);
        assertThat(cache.get("a", a, CARD)).isSameAs(ea); // a is now the most recent
        cache.get("c", c, CARD); // evicts b
        assertThat(cache.counters()).containsEntry("entries", 2L).containsEntry("bytes", 2 * one);
        assertThat(cache.get("a", a, CARD)).isSameAs(ea);
        long misses = cache.counters().get("misses");
        cache.get("b", b, CARD);
        assertThat(cache.counters().get("misses")).isEqualTo(misses + 1);
    }
}
