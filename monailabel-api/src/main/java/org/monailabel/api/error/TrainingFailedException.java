package org.monailabel.api.error;

/** A training job failed (HTTP 500). */
public class TrainingFailedException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public TrainingFailedException(String message) {
        super(ErrorCode.TRAINING_FAILED, message);
    }

    public TrainingFailedException(String message, Throwable cause) {
        super(ErrorCode.TRAINING_FAILED, message, cause);
    }
}
