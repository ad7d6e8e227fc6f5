package org.monailabel.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One inference call, as the server resolved it from MONAI Label's {@code POST /infer/{model}}.
 *
 * @param model the model name
 * @param image a local, readable file holding the input image (a datastore image, a session's image
 *     or an uploaded file); the task must not change it
 * @param imageId the datastore id of the image, when it came from the datastore
 * @param params the client's params merged over the model's config defaults
 * @param label an input label file (scribbles, a label to refine), when one was sent
 * @param workDir a private folder for the task's output files; the server deletes it after sending
 *     the reply
 */
public record InferenceRequest(
        String model,
        Path image,
        Optional<String> imageId,
        Params params,
        Optional<Path> label,
        Path workDir) {
    public InferenceRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(workDir, "workDir");
    }
}
