package org.monailabel.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.ModelType;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.segmentation.ResultFiles;

/**
 * A model-free segmentation for the HTTP load benchmark ({@code threshold}: voxels above 150 HU),
 * served as a class-path app: it reads the real phantom, builds a label on its grid and writes the
 * requested result format, so the benchmark exercises the whole inference path but the network.
 */
public final class BenchThresholdModel implements InferenceTask {
    @Override
    public ModelInfo info() {
        return new ModelInfo(
                "threshold",
                ModelType.SEGMENTATION,
                Map.of("bone", 1),
                3,
                "Voxels above 150 HU",
                Map.of("device", List.of("cpu")));
    }

    @Override
    public InferenceResult infer(InferenceRequest request) throws IOException {
        long start = System.nanoTime();
        Volume image = ImageIo.read(request.image());
        Volume label = Volume.allocate(VoxelType.UINT8, image.affine(), image.shape());
        for (long i = 0; i < image.voxelCount(); i++) {
            label.set(i, image.get(i) > 150 ? 1 : 0);
        }
        Path out = ResultFiles.write(label, request.image(), request.params(), request.workDir());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("label_names", Map.of("bone", 1));
        json.put("latencies", Map.of("total", (System.nanoTime() - start) / 1e9));
        return new InferenceResult(Optional.of(out), json);
    }
}
