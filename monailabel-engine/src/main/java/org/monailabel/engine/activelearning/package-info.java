/**
 * MONAI Label's stock active-learning strategies ({@code random}, {@code first}, {@code last}),
 * for apps to register by subclassing.
 */
package org.monailabel.engine.activelearning;
