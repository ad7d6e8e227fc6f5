package org.monailabel.api;

import java.io.IOException;
import java.util.Map;

/**
 * Trains a model from the datastore's labeled images ({@code POST /train/{name}}). The server runs
 * at most one training job at a time, on its own thread.
 */
public interface TrainTask extends AppComponent {
    /** What {@code /info/} lists under {@code trainers}; cheap, callable before {@code open}. */
    TrainerInfo info();

    @Override
    default String name() {
        return info().name();
    }

    /**
     * Trains until done, stopped (see {@link JobControl#stopRequested()}) or failed, publishing the
     * resulting model atomically.
     *
     * @return the result object MONAI Label reports for a finished job
     */
    Map<String, Object> train(Params params, JobControl control) throws IOException;

    /**
     * The latest training statistics for {@code /info/}'s {@code train_stats}; an empty map when
     * never trained.
     */
    Map<String, Object> stats();
}
