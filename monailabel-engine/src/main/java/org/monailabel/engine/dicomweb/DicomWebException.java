package org.monailabel.engine.dicomweb;

import java.io.IOException;

/**
 * A DICOMweb server refused a request (a 4xx other than 404) or answered something that is not what
 * DICOMweb prescribes. The message names the server without credentials, the request, the HTTP
 * status and the start of the answer's body.
 */
public class DicomWebException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String bodyExcerpt;

    public DicomWebException(String message, int status, String bodyExcerpt) {
        super(message);
        this.status = status;
        this.bodyExcerpt = bodyExcerpt == null ? "" : bodyExcerpt;
    }

    public DicomWebException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.bodyExcerpt = "";
    }

    /** The HTTP status, or 0 when the failure is not one (a malformed answer). */
    public int status() {
        return status;
    }

    /** The start of the answer's body (at most a few hundred characters), or "". */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }
}
