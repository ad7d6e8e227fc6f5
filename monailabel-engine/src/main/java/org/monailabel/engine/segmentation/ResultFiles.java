package org.monailabel.engine.segmentation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.postprocess.LabelMaps;

/**
 * Writes a result label as the client asked: {@code result_extension} ({@code .nii.gz}, {@code
 * .nii}, {@code .nrrd}, {@code .seg.nrrd}; default the input's), {@code result_dtype} (default
 * {@code uint8}) and {@code result_compress} (NRRD gzip, default on).
 */
public final class ResultFiles {
    /** The extensions a result can be written in. */
    public static final List<String> EXTENSIONS = List.of(".nii.gz", ".nii", ".seg.nrrd", ".nrrd");

    private ResultFiles() {}

    /** The extension of an input file name among {@link #EXTENSIONS}, or {@code .nii.gz}. */
    public static String extensionOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().filter(name::endsWith).findFirst().orElse(".nii.gz");
    }

    /** Writes the label into {@code workDir} and returns the file. */
    public static Path write(Volume label, Path input, Params params, Path workDir)
            throws IOException {
        String ext =
                params.getString("result_extension", extensionOf(input))
                        .trim()
                        .toLowerCase(Locale.ROOT);
        if (!ext.startsWith(".")) {
            ext = "." + ext;
        }
        if (!EXTENSIONS.contains(ext)) {
            throw new InvalidInputException(
                    "Unsupported result_extension '" + ext + "' (use one of " + EXTENSIONS + ")");
        }
        VoxelType type;
        try {
            type =
                    VoxelType.fromName(
                            params.getString("result_dtype", "uint8")
                                    .trim()
                                    .toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("Unsupported result_dtype: " + e.getMessage());
        }
        Volume typed = LabelMaps.cast(label, type).withMetadata(label.metadata());
        Path out = Files.createTempFile(workDir, "label_", ext);
        WriteOptions options =
                WriteOptions.defaults().withNrrdGzip(params.getBoolean("result_compress", true));
        ImageIo.write(typed, out, options);
        return out;
    }

    /**
     * The reply to an inference: {@code label} written as the client asked ({@link #write}, then
     * the {@code write} latency marked), with {@code label_names}, {@code latencies}, {@code
     * model_version} and {@code extra}, in that order.
     */
    public static InferenceResult reply(
            Volume label,
            InferenceRequest request,
            Map<String, Integer> labelNames,
            Latencies latencies,
            int modelVersion,
            Map<String, Object> extra)
            throws IOException {
        Path file = write(label, request.image(), request.params(), request.workDir());
        latencies.mark("write");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("label_names", labelNames);
        json.put("latencies", latencies.toMap());
        json.put("model_version", modelVersion);
        json.putAll(extra);
        return new InferenceResult(Optional.of(file), json);
    }
}
