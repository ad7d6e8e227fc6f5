package org.monailabel.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.InferenceResult;

/**
 * A finished inference: the model's result (its file lives in the inference's work folder) and the
 * label saved from it, if one was. Closing it deletes the work folder, so a caller sends or copies
 * the result file first (the HTTP layer closes it once the reply is sent).
 *
 * @param result the result JSON and file
 * @param savedLabel the id of the label saved from the result ({@code save_label: true})
 * @param workDir the inference's private folder
 */
public record Inference(InferenceResult result, Optional<String> savedLabel, Path workDir)
        implements AutoCloseable {
    public Inference {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(savedLabel, "savedLabel");
        Objects.requireNonNull(workDir, "workDir");
    }

    /** Deletes the work folder and the result file in it; a failure to delete is logged. */
    @Override
    public void close() {
        WorkFolders.delete(workDir);
    }
}
