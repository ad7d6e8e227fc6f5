package org.monailabel.api.error;

/** A model failed on valid input (HTTP 500). */
public class InferenceFailedException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public InferenceFailedException(String message) {
        super(ErrorCode.INFERENCE_FAILED, message);
    }

    public InferenceFailedException(String message, Throwable cause) {
        super(ErrorCode.INFERENCE_FAILED, message, cause);
    }
}
