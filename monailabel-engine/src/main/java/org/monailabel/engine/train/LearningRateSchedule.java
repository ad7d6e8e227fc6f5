package org.monailabel.engine.train;

import ai.djl.training.tracker.Tracker;
import java.util.function.DoubleSupplier;
import org.monailabel.api.error.InvalidInputException;

/**
 * The learning rate over a run: a linear warm-up over the first updates, then a cosine decay from
 * the base rate down to {@code base * finalFraction} as training progresses, or a constant rate.
 * Progress is the larger of updates done over the planned total and, when the run has a time
 * budget, the share of that budget used, so a run cut short by its budget still ends on a small
 * rate. Thread-safe.
 */
public final class LearningRateSchedule implements Tracker {
    /** The schedules a trainer can be asked for ({@code lr_schedule}). */
    public enum Kind {
        COSINE,
        CONSTANT;

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new InvalidInputException(
                    "Unknown lr_schedule '" + s + "': use cosine or constant");
        }
    }

    private final Kind kind;
    private final float base;
    private final float finalFraction;
    private final int warmup;
    private final long totalUpdates;
    private final DoubleSupplier timeProgress;

    /**
     * @param totalUpdates the planned optimizer steps of the run
     * @param timeProgress the share of the run's time budget used, 0 without a budget
     */
    public LearningRateSchedule(
            Kind kind,
            float base,
            float finalFraction,
            int warmup,
            long totalUpdates,
            DoubleSupplier timeProgress) {
        this.kind = kind;
        this.base = base;
        this.finalFraction = finalFraction;
        this.warmup = Math.max(0, warmup);
        this.totalUpdates = Math.max(1, totalUpdates);
        this.timeProgress = timeProgress;
    }

    @Override
    public float getNewValue(int numUpdate) {
        if (kind == Kind.CONSTANT) {
            return base;
        }
        if (numUpdate < warmup) {
            return base * (numUpdate + 1) / (warmup + 1);
        }
        double progress = Math.max((double) numUpdate / totalUpdates, timeProgress.getAsDouble());
        progress = Math.min(1, Math.max(0, progress));
        double low = base * finalFraction;
        return (float) (low + (base - low) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
