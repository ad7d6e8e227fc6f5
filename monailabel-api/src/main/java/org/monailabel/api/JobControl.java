package org.monailabel.api;

import java.util.Map;

/**
 * The server's side of a long-running job (training, scoring): the job polls it for a stop request
 * and reports log lines and progress through it. Thread-safe.
 */
public interface JobControl {
    /**
     * Whether the user asked to stop. A job checks this at least once per iteration and then
     * returns promptly, leaving published results intact.
     */
    boolean stopRequested();

    /** One human-readable line for the job's log and the task's {@code details}. */
    void log(String line);

    /**
     * The latest statistics, as MONAI Label's {@code train_stats} ({@code epoch}, {@code
     * total_epochs}, {@code best_metric}, ...). Replaces what was reported before.
     */
    void progress(Map<String, Object> stats);
}
