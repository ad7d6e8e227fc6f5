/**
 * The stable public API of monailabel (JDK only): the app SPI ({@link
 * org.monailabel.api.InferenceTask}, {@link org.monailabel.api.TrainTask}, {@link
 * org.monailabel.api.ActiveLearningStrategy}, {@link org.monailabel.api.ScoringMethod}), found with
 * {@link java.util.ServiceLoader}, and the {@link org.monailabel.api.Datastore} they work on.
 *
 * <p>An app is a jar whose {@code META-INF/services} files list its task classes. Each task has a
 * cheap public no-arg constructor; heavy work happens in {@code open(AppContext)}.
 */
package org.monailabel.api;
