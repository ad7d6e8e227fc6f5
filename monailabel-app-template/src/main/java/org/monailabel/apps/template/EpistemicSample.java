package org.monailabel.apps.template;

import org.monailabel.engine.activelearning.EpistemicStrategy;

/**
 * {@code epistemic}: the unlabeled image the model is least sure about, by the Monte-Carlo dropout
 * entropy that {@link SegmentationEpistemic} wrote into the image info.
 */
public final class EpistemicSample extends EpistemicStrategy {}
