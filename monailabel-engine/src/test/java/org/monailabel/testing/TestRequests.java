package org.monailabel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.Params;

/** Inference requests for tests whose tasks do not read the image. */
public final class TestRequests {
    private TestRequests() {}

    /** A request for {@code model} on a stand-in image file in {@code dir}, with these params. */
    public static InferenceRequest inference(String model, Path dir, Map<String, ?> params)
            throws IOException {
        Path image = dir.resolve("image.nii.gz");
        if (!Files.exists(image)) {
            Files.createDirectories(dir);
            Files.writeString(image, "stand-in image bytes");
        }
        Path work = Files.createTempDirectory(dir, "request-");
        return new InferenceRequest(
                model, image, Optional.empty(), Params.of(params), Optional.empty(), work);
    }
}
