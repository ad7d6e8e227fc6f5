package org.monailabel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.monailabel.api.Datastore;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;

/**
 * Small studies to train on: study {@code s<i>} is a 40x36x24 phantom CT (9x9x12 mm, seed {@code 10
 * + i}, storage order {@code i % 4}) and its spleen as a 0/1 label drawn on it.
 */
public final class SpleenStudies {
    /** The label info of the studies' labels: value 1 is "spleen". */
    public static final Map<String, Object> LABEL_INFO =
            Map.of("label_info", List.of(Map.of("name", "spleen", "idx", 1)));

    private SpleenStudies() {}

    /**
     * Writes study {@code i} into {@code folder} ({@code s<i>.nii.gz}, {@code s<i>_label.nii.gz}).
     */
    public static TrainingPair write(Path folder, int i) throws IOException {
        PhantomGenerator.Phantom p =
                PhantomGenerator.render(
                        "s" + i,
                        10 + i,
                        new int[] {40, 36, 24},
                        new double[] {9, 9, 12},
                        StorageOrder.values()[i % 4]);
        Files.createDirectories(folder);
        Path image = folder.resolve("s" + i + ".nii.gz");
        Path label = folder.resolve("s" + i + "_label.nii.gz");
        ImageIo.write(p.image(), image, WriteOptions.defaults());
        writeOrgan(p.label(), label, PhantomGenerator.LABELS.get("spleen"));
        return new TrainingPair("s" + i, image, label, LABEL_INFO);
    }

    /** Writes study {@code i} into {@code folder} and adds it with its label as final. */
    public static void add(Datastore datastore, Path folder, int i) throws IOException {
        TrainingPair s = write(folder, i);
        datastore.addImage(s.imageId(), s.image(), s.image().getFileName().toString(), Map.of());
        datastore.saveLabel(
                s.imageId(),
                Datastore.FINAL,
                s.label(),
                s.label().getFileName().toString(),
                LABEL_INFO);
    }

    /** One organ of a phantom's truth ({@code organ}) as a 0/1 {@code uint8} label file. */
    public static void writeOrgan(Volume truth, Path file, int organ) throws IOException {
        Volume mask = Volume.allocate(VoxelType.UINT8, truth.affine(), truth.shape());
        for (long v = 0; v < mask.voxelCount(); v++) {
            mask.set(v, truth.get(v) == organ ? 1 : 0);
        }
        ImageIo.write(mask, file, WriteOptions.defaults());
    }
}
