package org.monailabel.api.error;

/** A single-slot job such as training is already running (HTTP 429). */
public class AlreadyRunningException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public AlreadyRunningException(String message) {
        super(ErrorCode.ALREADY_RUNNING, message);
    }

    public AlreadyRunningException(String message, Throwable cause) {
        super(ErrorCode.ALREADY_RUNNING, message, cause);
    }
}
