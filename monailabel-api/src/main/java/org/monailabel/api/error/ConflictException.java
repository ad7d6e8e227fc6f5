package org.monailabel.api.error;

/** The request conflicts with the current state (HTTP 409). */
public class ConflictException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(ErrorCode.CONFLICT, message);
    }

    public ConflictException(String message, Throwable cause) {
        super(ErrorCode.CONFLICT, message, cause);
    }
}
