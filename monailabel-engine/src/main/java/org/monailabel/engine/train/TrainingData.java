package org.monailabel.engine.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.monailabel.api.Datastore;
import org.monailabel.api.TrainingPair;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Resample;

/**
 * The labeled images of a datastore, pre-processed as the model sees them: image reoriented,
 * resampled to the card's spacing and windowed (or as another {@link StudyPreprocessing} says);
 * label mapped onto the model's indices (by its {@code label_info}) and resampled onto the same
 * grid with nearest neighbours. Split into training and validation deterministically by image id.
 */
public final class TrainingData {
    /**
     * One pre-processed study on the network grid, C order {@code (X, Y, Z)}.
     *
     * @param affine the grid's voxel-to-world affine
     */
    public record Sample(String imageId, int[] shape, float[] image, byte[] label, Affine affine) {}

    /** The training and validation studies. */
    public record Split(List<TrainingPair> train, List<TrainingPair> validation) {}

    private TrainingData() {}

    /** Every image with a {@code final} label. */
    public static List<TrainingPair> pairs(Datastore datastore) throws IOException {
        return datastore.trainingPairs(Datastore.FINAL);
    }

    /** One study on the network grid, pre-processed as the card says. */
    public static Sample prepare(TrainingPair pair, ModelCard card) throws IOException {
        return prepare(pair, card, StudyPreprocessing.ofCard());
    }

    /**
     * One study on the network grid: the image as {@code preprocessing} prepares it, the label
     * mapped onto the model's indices and resampled onto the same grid with nearest neighbours.
     */
    public static Sample prepare(
            TrainingPair pair, ModelCard card, StudyPreprocessing preprocessing)
            throws IOException {
        Volume image = ImageIo.read(pair.image());
        Volume label =
                LabelMapping.of(pair.labelInfo(), preprocessing.labels(card))
                        .apply(ImageIo.read(pair.label()));
        if (!Arrays.equals(Arrays.copyOf(label.shape(), 3), Arrays.copyOf(image.shape(), 3))) {
            throw new IOException("Label of '" + pair.imageId() + "' is not on its image's grid");
        }
        label =
                label.withAffine(
                        image.affine()); // the label is drawn on the image: same voxels, same world
        StudyPreprocessing.OnGrid prepared = preprocessing.prepare(image, card);
        Grid grid = prepared.grid();
        int[] shape = grid.shape();
        if (prepared.image().length != (long) shape[0] * shape[1] * shape[2]) {
            throw new IllegalStateException(
                    "Pre-processing of '" + pair.imageId() + "' does not fill its grid");
        }
        Volume resampled = Resample.resampleLabels(label, grid);
        float[] values = DenseArray.fromVolume(resampled).data();
        byte[] labels = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            labels[i] = (byte) values[i]; // model indices are 0..255 (LabelMapping)
        }
        return new Sample(pair.imageId(), shape, prepared.image(), labels, grid.affine());
    }

    /**
     * A deterministic split: samples shuffled by a seeded random generator over their sorted ids,
     * the first {@code round(n * valSplit)} (at least one when there are two or more samples and
     * {@code valSplit > 0}) for validation.
     */
    public static Split split(List<TrainingPair> samples, double valSplit, long seed) {
        List<TrainingPair> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(TrainingPair::imageId));
        Collections.shuffle(sorted, new Random(seed));
        int validation = (int) Math.round(sorted.size() * valSplit);
        if (valSplit > 0 && validation == 0 && sorted.size() >= 2) {
            validation = 1;
        }
        validation = Math.min(validation, Math.max(0, sorted.size() - 1));
        return new Split(
                List.copyOf(sorted.subList(validation, sorted.size())),
                List.copyOf(sorted.subList(0, validation)));
    }
}
