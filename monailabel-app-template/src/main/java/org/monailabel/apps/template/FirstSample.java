package org.monailabel.apps.template;

import org.monailabel.engine.activelearning.FirstStrategy;

/**
 * The stock strategy {@code first: the alphabetically first unlabeled image}. It is a subclass
 * because the server serves only providers whose class belongs to the app's own jar.
 */
public final class FirstSample extends FirstStrategy {}
