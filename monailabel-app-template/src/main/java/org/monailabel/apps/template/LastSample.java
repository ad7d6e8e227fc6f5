package org.monailabel.apps.template;

import org.monailabel.engine.activelearning.LastStrategy;

/**
 * The stock strategy {@code last: the alphabetically last unlabeled image}. It is a subclass
 * because the server serves only providers whose class belongs to the app's own jar.
 */
public final class LastSample extends LastStrategy {}
