package org.monailabel.engine.dicomweb;

import org.monailabel.api.error.BusyException;

/**
 * A DICOMweb server cannot be reached for now: the connection was refused or timed out, broke off,
 * or the server answered 5xx. A {@link BusyException} (HTTP 503 with {@code Retry-After}): the
 * retry delay is the server's {@code Retry-After} when it sent one, else {@value
 * #DEFAULT_RETRY_AFTER_SECONDS} seconds.
 */
public class DicomWebUnavailableException extends BusyException {
    private static final long serialVersionUID = 1L;

    /** The retry delay when the server gave none. */
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 30;

    private final int status;

    public DicomWebUnavailableException(
            String message, int status, int retryAfterSeconds, Throwable cause) {
        super(message, retryAfterSeconds);
        this.status = status;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** The server's HTTP status (5xx), or 0 when it could not be reached at all. */
    public int status() {
        return status;
    }
}
