package org.monailabel.examples.minimal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ModelType;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.segmentation.ResultFiles;

/**
 * Model {@code threshold}: labels as {@code bone} (1) every voxel brighter than {@code threshold}
 * Hounsfield units (default 300), everything else 0. No network and no weights, so it shows only
 * what every model must do: read the image, write a label on exactly the input's grid into the
 * request's work folder, and answer with MONAI Label's result JSON.
 *
 * <p>A model needs a public no-arg constructor that does nothing heavy (the server builds it just
 * to read {@link #info()}); a model with weights would load them in {@code open(AppContext)} and
 * free them in {@code close()}. {@link #infer} is called from many threads at once: this class
 * keeps no state, so it is thread-safe as it is.
 */
public final class Threshold implements InferenceTask {
    static final String NAME = "threshold";
    static final Map<String, Integer> LABELS = Map.of("bone", 1);
    static final int DEFAULT_THRESHOLD_HU = 300;

    @Override
    public ModelInfo info() {
        // The config map is what clients show as the model's settings; each request's params come
        // back merged over it, so "threshold" below is the client's value or this default.
        return new ModelInfo(
                NAME,
                ModelType.SEGMENTATION,
                LABELS,
                3,
                "Bone by thresholding CT intensities (no training)",
                Map.of("threshold", DEFAULT_THRESHOLD_HU));
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        long start = System.nanoTime();
        double threshold = request.params().getDouble("threshold", DEFAULT_THRESHOLD_HU);

        // ImageIo picks the codec by file name; values come out scaled (scl_slope), i.e. in HU.
        Volume image = ImageIo.read(request.image());
        if (image.channels() != 1) {
            throw new InvalidInputException(
                    "Model 'threshold' expects a single-channel image, got "
                            + image.channels()
                            + " channels");
        }
        long read = System.nanoTime();

        // Same shape and affine as the input: the client overlays the label voxel by voxel.
        Volume label = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
        for (long i = 0; i < image.voxelCount(); i++) {
            label.set(i, image.get(i) > threshold ? 1 : 0);
        }
        long inferred = System.nanoTime();

        // Honours the client's result_extension (.nii.gz, .nii, .nrrd, .seg.nrrd), result_dtype and
        // result_compress, and writes into the request's work folder, which the server cleans up.
        Path file = ResultFiles.write(label, request.image(), request.params(), request.workDir());
        long written = System.nanoTime();

        Map<String, Object> latencies = new LinkedHashMap<>();
        latencies.put("pre", seconds(start, read));
        latencies.put("infer", seconds(read, inferred));
        latencies.put("invert", 0.0);
        latencies.put("post", 0.0);
        latencies.put("write", seconds(inferred, written));
        latencies.put("total", seconds(start, written));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("label_names", LABELS);
        json.put("latencies", latencies);
        json.put("threshold", threshold);
        return new InferenceResult(Optional.of(file), json);
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
