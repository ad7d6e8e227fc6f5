package org.monailabel.api.error;

/** An app failed to load or misbehaved (HTTP 500). */
public class AppException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public AppException(String message) {
        super(ErrorCode.APP_ERROR, message);
    }

    public AppException(String message, Throwable cause) {
        super(ErrorCode.APP_ERROR, message, cause);
    }
}
