package org.monailabel.bench;

import org.monailabel.engine.activelearning.RandomStrategy;

/** MONAI Label's {@code random} strategy, served as a class-path app by the HTTP load benchmark. */
public final class BenchRandomStrategy extends RandomStrategy {}
