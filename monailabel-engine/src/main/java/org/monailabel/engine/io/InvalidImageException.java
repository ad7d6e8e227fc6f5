package org.monailabel.engine.io;

import java.io.IOException;

/**
 * A file that is not a valid image of the expected format: bad magic, a truncated or inconsistent
 * header, data shorter than the header promises, a corrupt compressed stream, a non-finite or
 * singular affine, or more voxel data than the configured cap. The message says what is wrong and
 * never contains a server path.
 */
public class InvalidImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
