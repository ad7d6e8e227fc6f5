package org.monailabel.api.error;

/**
 * What kind of failure a {@link MonaiLabelException} reports. Each code fixes the HTTP status the
 * server answers with, so the HTTP layer never has to guess from a message or an exception type.
 */
public enum ErrorCode {
    /** The request is malformed or names something it may not (400). */
    INVALID_INPUT(400),
    /** The request carries no valid credentials: no token, or a bad or expired one (401). */
    UNAUTHORIZED(401),
    /** The signed-in user's role does not allow the request (403). */
    FORBIDDEN(403),
    /** An image, label, model, strategy, session or task does not exist (404). */
    NOT_FOUND(404),
    /** The request conflicts with the current state, e.g. a clashing name (409). */
    CONFLICT(409),
    /** An upload or input is larger than the configured limit (413). */
    PAYLOAD_TOO_LARGE(413),
    /** A single-slot job (training, scoring) is already running (429). */
    ALREADY_RUNNING(429),
    /** Too many failed sign-ins for a user name or from an address; retry later (429). */
    TOO_MANY_ATTEMPTS(429),
    /** A bounded queue is full or a resource is temporarily unavailable; retry later (503). */
    BUSY(503),
    /** A model failed while running on valid input (500). */
    INFERENCE_FAILED(500),
    /** A training job failed (500). */
    TRAINING_FAILED(500),
    /** An app failed to load or misbehaved (500). */
    APP_ERROR(500),
    /** A failure of the server itself, e.g. an I/O error on its own files (500). */
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status code a server answers with for this code. */
    public int httpStatus() {
        return httpStatus;
    }
}
