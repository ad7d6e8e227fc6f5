package org.monailabel.api.error;

/**
 * The request carries no valid credentials (HTTP 401, answered with {@code WWW-Authenticate:
 * Bearer}): no token, or one that is malformed, badly signed, expired or no longer valid, or a
 * wrong user name or password at sign-in.
 */
public class UnauthorizedException extends MonaiLabelException {
    private static final long serialVersionUID = 1L;

    public UnauthorizedException(String message) {
        super(ErrorCode.UNAUTHORIZED, message);
    }

    public UnauthorizedException(String message, Throwable cause) {
        super(ErrorCode.UNAUTHORIZED, message, cause);
    }
}
