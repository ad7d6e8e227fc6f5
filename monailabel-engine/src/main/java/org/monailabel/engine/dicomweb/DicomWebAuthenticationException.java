package org.monailabel.engine.dicomweb;

/**
 * A DICOMweb server refused the client's credentials (HTTP 401) or their rights (HTTP 403): the
 * configured username and password or token are missing, wrong or not allowed. The message never
 * contains the credentials.
 */
public class DicomWebAuthenticationException extends DicomWebException {
    private static final long serialVersionUID = 1L;

    public DicomWebAuthenticationException(String message, int status, String bodyExcerpt) {
        super(message, status, bodyExcerpt);
    }
}
