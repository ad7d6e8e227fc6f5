package org.monailabel.engine.dicomweb;

/**
 * A STOW-RS server did not store some of the instances sent: its FailedSOPSequence (0008,1198) is
 * not empty. The message lists them with their failure reasons; {@link #result()} has the whole
 * answer, including the instances that were stored.
 */
public class DicomWebStoreException extends DicomWebException {
    private static final long serialVersionUID = 1L;

    private final transient StoreResult result;

    public DicomWebStoreException(String message, StoreResult result, String bodyExcerpt) {
        super(message, result.status(), bodyExcerpt);
        this.result = result;
    }

    public StoreResult result() {
        return result;
    }
}
