package org.monailabel.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One inference as a client asks for it ({@code POST /infer/{model}}): which image (an upload, a
 * session's image or a datastore image, in that order of precedence), the request's params, and an
 * optional label to start from. {@link MonaiLabel#infer} resolves the image, merges the model's
 * defaults under the params, and saves the result as a label when the params say {@code save_label:
 * true} (tag {@code label_tag}, default {@code original}) for a datastore image.
 *
 * @param model the model's name
 * @param file an uploaded image (wins over the others)
 * @param sessionId a session whose image to use; when it has expired and {@code imageId} is given,
 *     the datastore image is used instead
 * @param imageId a datastore image id
 * @param params the request's params (the model's defaults fill in what is missing)
 * @param label an uploaded label the model may start from (DeepEdit's previous label)
 */
public record InferRequest(
        String model,
        Optional<Upload> file,
        Optional<String> sessionId,
        Optional<String> imageId,
        Map<String, Object> params,
        Optional<Upload> label) {
    public InferRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(imageId, "imageId");
        params = Map.copyOf(Objects.requireNonNull(params, "params"));
        Objects.requireNonNull(label, "label");
    }

    /** The model on a datastore image. */
    public static InferRequest ofImage(String model, String imageId, Map<String, Object> params) {
        return new InferRequest(
                model,
                Optional.empty(),
                Optional.empty(),
                Optional.of(imageId),
                params,
                Optional.empty());
    }

    /** The model on an uploaded image. */
    public static InferRequest ofUpload(String model, Upload file, Map<String, Object> params) {
        return new InferRequest(
                model,
                Optional.of(file),
                Optional.empty(),
                Optional.empty(),
                params,
                Optional.empty());
    }
}
