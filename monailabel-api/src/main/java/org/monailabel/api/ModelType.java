package org.monailabel.api;

import java.util.Locale;

/**
 * The kind of an inference model as MONAI Label clients know it. 3D Slicer groups models by it:
 * {@code segmentation} and {@code detection} go to "Auto Segmentation", {@code deepgrow} and {@code
 * deepedit} to "SmartEdit", {@code scribbles} to the scribbles box.
 */
public enum ModelType {
    SEGMENTATION,
    ANNOTATION,
    CLASSIFICATION,
    DEEPGROW,
    DEEPEDIT,
    SCRIBBLES,
    DETECTION,
    VISTA3D,
    OTHERS;

    /** The lower-case name used in {@code /info/}, e.g. {@code deepgrow}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
