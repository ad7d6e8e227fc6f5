package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.datastore.dicom.DicomLabels;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.dicom.ReferencedSeries;

/**
 * An inference's label as a DICOM SEG of its image ({@code output=dicom_seg}), for an image that is
 * a DICOM series of the datastore: made by {@link MonaiLabel#dicomSegOutput}, which checks that
 * before the model runs. Immutable.
 */
public final class DicomSegOutput {
    private final ReferencedSeries series;

    DicomSegOutput(ReferencedSeries series) {
        this.series = Objects.requireNonNull(series, "series");
    }

    /** The name a client saves the SEG under: {@code <SeriesInstanceUID>_<model>_seg.dcm}. */
    public String fileName(String model) {
        return series.seriesInstanceUid()
                + "_"
                + model.replaceAll("[^A-Za-z0-9._-]", "_")
                + "_seg.dcm";
    }

    /**
     * Writes the result's label as a SEG referencing the series' instances (one segment per label
     * value, named by the result's {@code label_names}), next to the result's file; returns it.
     *
     * @throws InvalidInputException if the model returned no label, or one off the series' grid
     */
    public Path write(String model, InferenceResult result) throws IOException {
        Path file =
                result.file()
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "Model '"
                                                        + model
                                                        + "' returned no label to make a DICOM"
                                                        + " SEG of"));
        Volume label = ImageIo.read(file);
        Path seg = file.resolveSibling(file.getFileName() + ".seg.dcm");
        DicomLabels.writeSeg(
                label,
                series,
                DicomLabels.segments(label, result.json()),
                "MONAI Label " + model,
                seg);
        return seg;
    }
}
