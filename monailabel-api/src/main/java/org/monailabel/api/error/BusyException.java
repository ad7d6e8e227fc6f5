package org.monailabel.api.error;

/**
 * A bounded queue is full or a resource is temporarily unavailable (HTTP 503). Carries the number
 * of seconds after which a retry is sensible, for the {@code Retry-After} header.
 */
public class BusyException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    private final int retryAfterSeconds;

    public BusyException(String message, int retryAfterSeconds) {
        super(ErrorCode.BUSY, message);
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds < 0");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds after which the client may retry; 0 when unknown. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
