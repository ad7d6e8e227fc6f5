package org.monailabel.engine.model.bundle;

import java.util.List;
import java.util.Optional;

/**
 * One transform of a bundle's pre- or post-processing as MONAI states it, typed, with MONAI's
 * defaults for what the config leaves out. The records carry exactly the settings that change the
 * result; {@link BundleSpec} refuses any other setting.
 */
public sealed interface BundleStep {
    /** MONAI's name of the transform ({@code Spacingd}). */
    String transform();

    /** {@code LoadImaged}: read the image file. */
    record LoadImage() implements BundleStep {
        public String transform() {
            return "LoadImaged";
        }
    }

    /** {@code EnsureChannelFirstd}: a channel axis first (one channel for a CT). */
    record EnsureChannelFirst() implements BundleStep {
        public String transform() {
            return "EnsureChannelFirstd";
        }
    }

    /**
     * {@code Orientationd}: reorient to {@code axcodes} (MONAI's codes name where each axis
     * points).
     */
    record Orientation(String axcodes) implements BundleStep {
        public String transform() {
            return "Orientationd";
        }
    }

    /**
     * {@code Spacingd}: resample to {@code pixdim} millimetres.
     *
     * @param mode {@code bilinear} or {@code nearest}
     */
    record Spacing(double[] pixdim, String mode) implements BundleStep {
        public String transform() {
            return "Spacingd";
        }
    }

    /**
     * {@code ScaleIntensityRanged}: {@code [aMin, aMax]} mapped linearly onto {@code [bMin, bMax]},
     * clipped if asked.
     */
    record ScaleIntensityRange(
            double aMin, double aMax, Optional<Double> bMin, Optional<Double> bMax, boolean clip)
            implements BundleStep {
        public String transform() {
            return "ScaleIntensityRanged";
        }
    }

    /**
     * {@code NormalizeIntensityd}: subtract the mean (or {@code subtrahend}) and divide by the
     * standard deviation (or {@code divisor}), over all voxels or the non-zero ones.
     */
    record NormalizeIntensity(
            Optional<Double> subtrahend,
            Optional<Double> divisor,
            boolean nonzero,
            boolean channelWise)
            implements BundleStep {
        public String transform() {
            return "NormalizeIntensityd";
        }
    }

    /** {@code ScaleIntensityd}: the image's range mapped onto {@code [minv, maxv]}. */
    record ScaleIntensity(double minv, double maxv) implements BundleStep {
        public String transform() {
            return "ScaleIntensityd";
        }
    }

    /**
     * {@code CropForegroundd}: crop to the box of the voxels of {@code sourceKey} above zero, with
     * {@code margin} voxels around (undone by {@code Invertd}).
     */
    record CropForeground(String sourceKey, int[] margin, int kDivisible) implements BundleStep {
        public String transform() {
            return "CropForegroundd";
        }
    }

    /** {@code EnsureTyped}: a tensor of the same values (no change to the result). */
    record EnsureType() implements BundleStep {
        public String transform() {
            return "EnsureTyped";
        }
    }

    /** {@code Activationsd}: softmax over the channels, or a sigmoid per channel. */
    record Activation(boolean softmax, boolean sigmoid) implements BundleStep {
        public String transform() {
            return "Activationsd";
        }
    }

    /**
     * {@code Invertd}: the prediction taken back onto the input's grid (the spatial pre-processing
     * undone).
     */
    record Invert(boolean nearestInterp) implements BundleStep {
        public String transform() {
            return "Invertd";
        }
    }

    /** {@code AsDiscreted}: the label by argmax over the channels, or each channel thresholded. */
    record AsDiscrete(boolean argmax, Optional<Double> threshold) implements BundleStep {
        public String transform() {
            return "AsDiscreted";
        }
    }

    /**
     * {@code KeepLargestConnectedComponentd}: only the largest component of each of the labels (all
     * when empty).
     */
    record KeepLargestComponent(List<Integer> appliedLabels, boolean independent)
            implements BundleStep {
        public String transform() {
            return "KeepLargestConnectedComponentd";
        }
    }
}
