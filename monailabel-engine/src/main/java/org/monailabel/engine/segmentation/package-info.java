/**
 * Automatic segmentation as a served model: {@link
 * org.monailabel.engine.segmentation.SegmentationTask} (the {@code InferenceTask} apps subclass)
 * serves the model whose card lives in the app's model folder, running each request through {@link
 * org.monailabel.engine.segmentation.SegmentationPipeline} (reorient, resample and window with
 * {@code transform}, sliding-window inference with {@code inferer}, clean-up with {@code
 * postprocess}, and the inverse back onto the input grid) on a bounded pool of {@link
 * org.monailabel.engine.segmentation.InferenceWorkers}, each owning one {@code model.Network}
 * handle. {@link org.monailabel.engine.segmentation.ResultFiles} writes the label in the format the
 * client asked for and {@link org.monailabel.engine.segmentation.Latencies} reports MONAI Label's
 * per-stage timings. The interactive tasks and the uncertainty scoring reuse the workers, the
 * pipeline's steps and the result writer.
 */
package org.monailabel.engine.segmentation;
