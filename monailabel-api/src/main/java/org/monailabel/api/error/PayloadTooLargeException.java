package org.monailabel.api.error;

/** An input exceeds the configured size limit (HTTP 413). */
public class PayloadTooLargeException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLargeException(String message) {
        super(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    public PayloadTooLargeException(String message, Throwable cause) {
        super(ErrorCode.PAYLOAD_TOO_LARGE, message, cause);
    }
}
