package org.monailabel.apps.template;

import org.monailabel.engine.activelearning.RandomStrategy;

/**
 * The stock strategy {@code random: images not shown recently are preferred}. It is a subclass
 * because the server serves only providers whose class belongs to the app's own jar.
 */
public final class RandomSample extends RandomStrategy {}
