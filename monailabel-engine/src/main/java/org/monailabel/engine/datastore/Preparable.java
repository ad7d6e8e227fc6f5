package org.monailabel.engine.datastore;

/**
 * A datastore whose images may need work before they can be served (a DICOM series converted, a
 * PACS series fetched), which it can do ahead of a request.
 */
public interface Preparable {
    /** Whether serving the image now reads nothing but local files. */
    boolean isPrepared(String imageId);

    /** Starts preparing the image in the background; returns at once. Unknown ids are ignored. */
    void prepare(String imageId);
}
