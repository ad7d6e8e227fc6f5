package org.monailabel.apps.template;

import org.monailabel.engine.sample.PhantomGenerator;

import java.util.Map;

/** The phantom organs by voxel value, background excluded (what clients list). */
final class PhantomLabels {
    static final Map<String, Integer> FOREGROUND = PhantomGenerator.LABELS;

    private PhantomLabels() {}
}
