package org.monailabel.api.error;

/** The request is malformed or names something it may not (HTTP 400). */
public class InvalidInputException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(ErrorCode.INVALID_INPUT, message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(ErrorCode.INVALID_INPUT, message, cause);
    }
}
