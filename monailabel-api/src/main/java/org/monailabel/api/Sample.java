package org.monailabel.api;

import java.util.Objects;

/**
 * The image a strategy chose.
 *
 * @param imageId the image id
 * @param weight how strongly it was preferred (MONAI Label reports it as {@code weight})
 */
public record Sample(String imageId, double weight) {
    public Sample {
        Objects.requireNonNull(imageId, "imageId");
    }
}
