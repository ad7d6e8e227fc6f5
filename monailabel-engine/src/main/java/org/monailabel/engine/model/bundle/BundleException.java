package org.monailabel.engine.model.bundle;

import org.monailabel.api.error.InvalidInputException;

/**
 * A bundle that cannot be served as its configs say: the message names the bundle, and where it
 * applies the transform and the key ({@code Bundle 'spleen': Spacingd.mode 'nearest' is not
 * supported (bilinear)}).
 */
public final class BundleException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public BundleException(String bundle, String message) {
        super("Bundle '" + bundle + "': " + message);
    }

    public BundleException(String bundle, String message, Throwable cause) {
        super("Bundle '" + bundle + "': " + message, cause);
    }
}
