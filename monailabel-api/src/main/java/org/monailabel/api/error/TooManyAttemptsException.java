package org.monailabel.api.error;

/**
 * Sign-in refused without checking the password because of too many recent failures for the user
 * name or from the client's address (HTTP 429). Carries the number of seconds until a new attempt
 * is considered, for the {@code Retry-After} header.
 */
public class TooManyAttemptsException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    private final int retryAfterSeconds;

    public TooManyAttemptsException(String message, int retryAfterSeconds) {
        super(ErrorCode.TOO_MANY_ATTEMPTS, message);
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds < 0");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the next attempt is considered. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
