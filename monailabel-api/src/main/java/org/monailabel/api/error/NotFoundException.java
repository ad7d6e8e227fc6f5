package org.monailabel.api.error;

/** Something the request names does not exist (HTTP 404). */
public class NotFoundException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(ErrorCode.NOT_FOUND, message, cause);
    }
}
