package org.monailabel.apps.template;

import java.util.Map;
import org.monailabel.engine.sample.PhantomGenerator;

/** The phantom organs by voxel value, background excluded (what clients list). */
final class PhantomLabels {
    static final Map<String, Integer> FOREGROUND = PhantomGenerator.LABELS;

    private PhantomLabels() {}
}
