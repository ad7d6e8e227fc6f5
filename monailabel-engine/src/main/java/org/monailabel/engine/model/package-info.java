/**
 * Saved models and how they are loaded, versioned and imported: a {@link
 * org.monailabel.engine.model.ModelCard} is the JSON beside a model's weights that says what the
 * network is (our DJL {@code UNet} from {@code nets} or any TorchScript file), its labels and its
 * pre-processing ({@link org.monailabel.engine.model.IntensityWindow}, target spacing,
 * sliding-window settings); {@link org.monailabel.engine.model.LoadedModel} loads a card onto a
 * device and hands each worker thread its own {@link org.monailabel.engine.model.Network}; {@link
 * org.monailabel.engine.model.ModelVersions} publishes, prunes and rolls back the versions in a
 * model's folder; and {@link org.monailabel.engine.model.BundleImport} turns a MONAI bundle or a
 * bare TorchScript file into a card. The serving tasks ({@code segmentation}, {@code interactive},
 * {@code scoring}) and the trainers ({@code train}, {@code interactive}) read and write models only
 * through this package, as does the server's {@code /model} endpoint.
 */
package org.monailabel.engine.model;
