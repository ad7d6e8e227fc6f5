package org.monailabel.api.error;

import java.util.Objects;

/**
 * The root of monailabel's unchecked domain failures. Messages are meant for the person using a
 * client: they name the thing concerned ({@code Image 'spleen_12' not found}) and never contain
 * server paths or stack traces.
 */
public class MonaiLabelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public MonaiLabelException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public MonaiLabelException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The kind of failure, which fixes the HTTP status. */
    public ErrorCode code() {
        return code;
    }
}
