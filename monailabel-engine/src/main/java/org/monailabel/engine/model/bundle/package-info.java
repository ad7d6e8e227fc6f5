/**
 * MONAI bundles read strictly: {@link org.monailabel.engine.model.bundle.BundleConfig} resolves a
 * bundle's {@code configs/inference.json} ({@code @} references, {@code $} expressions that are
 * plain constants) and {@link org.monailabel.engine.model.bundle.BundleSpec} turns its
 * pre-processing, inferer and post-processing into typed steps. Anything it does not know stops
 * with a {@link org.monailabel.engine.model.bundle.BundleException} naming the bundle, the
 * transform and the key, so that a bundle is never served with a silently different result. {@link
 * org.monailabel.engine.model.bundle.BundleTask} serves a bundle by its configs and {@link
 * org.monailabel.engine.model.bundle.BundleTrainer} fine-tunes it with the same pre-processing.
 */
package org.monailabel.engine.model.bundle;
