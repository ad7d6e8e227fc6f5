/**
 * The smallest complete app, to read before the template app: one model ({@link
 * org.monailabel.examples.minimal.Threshold}) and one active-learning strategy ({@link
 * org.monailabel.examples.minimal.Newest}), listed in {@code META-INF/services}. The build makes
 * {@code target/minimal.jar}; dropped into an apps folder it is the app {@code minimal}.
 */
package org.monailabel.examples.minimal;
