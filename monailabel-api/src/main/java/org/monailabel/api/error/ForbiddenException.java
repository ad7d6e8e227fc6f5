package org.monailabel.api.error;

/** The signed-in user is known but its role does not allow the request (HTTP 403). */
public class ForbiddenException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String message) {
        super(ErrorCode.FORBIDDEN, message);
    }
}
