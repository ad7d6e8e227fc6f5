package org.monailabel.engine.train;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The progress of one training run from its first epoch: the clock and its time budget, the best
 * validation metric so far, and one row per epoch; {@link #stats} is MONAI Label's {@code
 * train_stats} of it. Made when the studies are ready, just before the network is built. Used by
 * the training thread only.
 */
public final class TrainingRun {
    private final int maxEpochs;
    private final double budgetMinutes;
    private final long startSeconds = Instant.now().getEpochSecond();
    private final long startNanos = System.nanoTime();
    private final long deadline;
    private final List<Map<String, Object>> history = new ArrayList<>();
    private double best = -1;
    private int bestEpoch = -1;

    /** A run of {@code max_epochs} epochs at most, within {@code max_train_minutes} when set. */
    public TrainingRun(TrainSettings settings) {
        this.maxEpochs = settings.maxEpochs();
        this.budgetMinutes = settings.maxTrainMinutes();
        this.deadline =
                budgetMinutes > 0 ? startNanos + (long) (budgetMinutes * 60e9) : Long.MAX_VALUE;
    }

    public int maxEpochs() {
        return maxEpochs;
    }

    /**
     * When the time budget runs out, in {@link System#nanoTime()}; {@code Long.MAX_VALUE} without
     * one.
     */
    public long deadline() {
        return deadline;
    }

    public boolean outOfTime() {
        return System.nanoTime() >= deadline;
    }

    /** The share of the time budget used so far; 0 without a budget. */
    public double budgetUsed() {
        return budgetMinutes > 0 ? (System.nanoTime() - startNanos) / (budgetMinutes * 60e9) : 0;
    }

    /** Seconds since the run started. */
    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Whether {@code metric} beats the best so far; if so it becomes the best, from {@code epoch}.
     */
    public boolean improves(double metric, int epoch) {
        if (!(metric > best)) { // NaN never improves
            return false;
        }
        best = metric;
        bestEpoch = epoch;
        return true;
    }

    /** The best validation metric so far; -1 before the first validation. */
    public double best() {
        return best;
    }

    /** The epoch of the best metric; -1 before the first validation. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Adds an epoch's row to the history, with the run's {@code seconds} so far. */
    public void addEpoch(Map<String, Object> row) {
        row.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        history.add(row);
    }

    /**
     * The run's statistics after {@code epoch}, as {@code /info/} shows them under {@code
     * train_stats}.
     */
    public Map<String, Object> stats(int epoch, boolean finished) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", epoch);
        s.put("total_epochs", maxEpochs);
        s.put("best_metric", Math.max(0, best));
        s.put("best_metric_epoch", bestEpoch);
        s.put("start_ts", startSeconds);
        long elapsed = Instant.now().getEpochSecond() - startSeconds;
        String clock =
                String.format("%d:%02d:%02d", elapsed / 3600, elapsed / 60 % 60, elapsed % 60);
        s.put(finished ? "total_time" : "current_time", clock);
        s.put("train", Map.of("epochs", List.copyOf(history)));
        return s;
    }
}
