package org.monailabel.apps.template;

import org.monailabel.engine.activelearning.TtaStrategy;

/**
 * {@code tta}: the unlabeled image whose flipped predictions disagree most ({@link
 * SegmentationTta}).
 */
public final class TtaSample extends TtaStrategy {}
