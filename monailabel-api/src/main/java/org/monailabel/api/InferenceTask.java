package org.monailabel.api;

import java.io.IOException;

/**
 * Runs one model on one image ({@code POST /infer/{name}}). {@link #infer} may be called
 * concurrently from several threads; an implementation bounds its own queue and throws {@link
 * org.monailabel.api.error.BusyException} when full.
 *
 * <pre>{@code
 * public final class Spleen implements InferenceTask {
 *     public ModelInfo info() {
 *         return ModelInfo.of("spleen", ModelType.SEGMENTATION, Map.of("spleen", 1), "Spleen on CT");
 *     }
 *     public InferenceResult infer(InferenceRequest request) throws IOException { ... }
 * }
 * }</pre>
 */
public interface InferenceTask extends AppComponent {
    /** What {@code /info/} lists under {@code models}; cheap, callable before {@code open}. */
    ModelInfo info();

    @Override
    default String name() {
        return info().name();
    }

    /**
     * Runs the model. Invalid input is an {@link org.monailabel.api.error.InvalidInputException}; a
     * model failure an {@link org.monailabel.api.error.InferenceFailedException}.
     */
    InferenceResult infer(InferenceRequest request) throws IOException;
}
