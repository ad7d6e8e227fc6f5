package org.monailabel.http.support;

import java.util.Locale;

/** The Content-Type of a downloaded file, as upstream guesses it (docs/rest-api.md §1.4). */
public final class MediaTypes {
    private MediaTypes() {}

    /** The media type for a file name. */
    public static String of(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".json")) {
            return "application/json";
        }
        if (n.endsWith(".dcm")) {
            return "application/dicom";
        }
        if (n.endsWith(".xml")) {
            return "application/xml";
        }
        if (n.endsWith(".zip")) {
            return "application/zip";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (n.endsWith(".tif") || n.endsWith(".tiff")) {
            return "image/tiff";
        }
        return "application/octet-stream";
    }
}
