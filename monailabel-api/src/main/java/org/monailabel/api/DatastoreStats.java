package org.monailabel.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The datastore summary of {@code /info/} and {@code GET /datastore/?output=stats}.
 *
 * @param total number of images
 * @param completed number of images with a {@code final} label
 * @param labelTags number of labels per tag
 */
public record DatastoreStats(int total, int completed, Map<String, Integer> labelTags) {
    public DatastoreStats {
        labelTags = Collections.unmodifiableMap(new TreeMap<>(labelTags));
    }
}
