/**
 * Uncertainty scoring for active learning ({@code POST /scoring/{name}}): {@link
 * org.monailabel.engine.scoring.EpistemicScoring} (Monte-Carlo dropout) and {@link
 * org.monailabel.engine.scoring.TtaScoring} (test-time flips) score the images without a {@code
 * final} label with the model a {@code SegmentationTask} serves and store the scores in the image
 * info, where {@code EpistemicStrategy} and {@code TtaStrategy} find them.
 *
 * <p>Not blocking inference: a scoring run is a background job on its own thread (the server's job
 * thread), with its own instance of the model loaded from the published card and its own network
 * handle; it never submits work to the inference workers, so a request never waits in their queue
 * behind scoring. The CPU and PyTorch's intra-op thread pool are shared by the whole process (its
 * size cannot be set per thread), so scoring instead steps aside: before each window batch it waits
 * while any inference job runs (bounded, so that it always progresses). A request therefore
 * competes with at most one window batch of scoring. Scoring works on the image resampled to the
 * model's spacing and skips what inference does after the network (argmax, post-processing,
 * inversion to the image grid, writing). Native memory is scoped per image.
 */
package org.monailabel.engine.scoring;
