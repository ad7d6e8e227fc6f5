package org.monailabel.engine.scoring;

import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.model.LoadedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MONAI Label's epistemic uncertainty scoring: Monte-Carlo dropout ({@code simulation_size}
 * stochastic passes of the served model with its dropout left on, default 5) over every image
 * without a {@code final} label, stored in the image info as {@code epistemic_entropy} (what the
 * {@code epistemic} strategy ranks by: the mean entropy of the mean foreground probabilities over
 * the predicted foreground), {@code epistemic_variance} (the mean per-voxel variance across the
 * passes there: exactly 0 when the passes agree), {@code epistemic_vvc}, {@code epistemic_ts} and
 * {@code epistemic_version}. Images already scored with the same model version are skipped.
 *
 * <p>Needs a DJL UNet with {@code dropout > 0} in its card; with any other model the passes agree,
 * which the job log says. Runs on the calling job thread with its own copy of the model (see the
 * package documentation). Apps subclass it with a no-arg constructor naming the model:
 *
 * <pre>{@code
 * public final class SpleenEpistemic extends EpistemicScoring {
 *     public SpleenEpistemic() {
 *         super("spleen");
 *     }
 * }
 * }</pre>
 */
public abstract class EpistemicScoring extends UncertaintyScoring {
    private static final Logger logger = LoggerFactory.getLogger(EpistemicScoring.class);

    /** The image-info key the {@code epistemic} strategy ranks by (MONAI Label's). */
    public static final String SCORE_KEY = "epistemic_entropy";

    /** The request parameter for the number of passes (MONAI Label's). */
    public static final String SIMULATION_SIZE = "simulation_size";

    private final int simulationSize;

    /** Scores model {@code modelName} as {@code <modelName>_epistemic} with 5 passes. */
    protected EpistemicScoring(String modelName) {
        this(
                modelName + "_epistemic",
                "Compute initial score based on dropout - " + modelName,
                modelName,
                5);
    }

    /**
     * @param simulationSize passes per image unless the request says otherwise (at least 2)
     */
    protected EpistemicScoring(
            String name, String description, String modelName, int simulationSize) {
        super(name, description, modelName, "epistemic");
        this.simulationSize = Math.max(2, simulationSize);
    }

    @Override
    public String scoreKey() {
        return SCORE_KEY;
    }

    @Override
    int passes(Params params) {
        int n = params.getInt(SIMULATION_SIZE, simulationSize);
        if (n < 2) {
            logger.warn(
                    "{}: simulation_size {} raised to 2: the spread of one pass is meaningless",
                    name(),
                    n);
        }
        return Math.max(2, n);
    }

    @Override
    void check(LoadedModel model, JobControl control) {
        if (!model.supportsMonteCarlo()) {
            String line =
                    name()
                            + ": model '"
                            + modelName()
                            + "' has no dropout (or is TorchScript): every pass gives the same"
                            + " prediction, so the variance is 0 and the entropy is that of one"
                            + " prediction";
            logger.warn(line);
            control.log(line);
        }
    }

    @Override
    DenseArray pass(int index, DenseArray input, Window run) {
        return run.run(input, true);
    }
}
