package org.monailabel.api;

import java.io.IOException;
import java.util.Map;

/**
 * Scores images for active learning ({@code POST /scoring/{name}}), for example by model
 * uncertainty, and writes the scores into the image info. Runs as a background job.
 */
public interface ScoringMethod extends AppComponent {
    /** What {@code /info/} lists under {@code scoring}; cheap, callable before {@code open}. */
    ComponentInfo info();

    @Override
    default String name() {
        return info().name();
    }

    /**
     * Scores the datastore's images until done or stopped.
     *
     * @return a summary of what was scored
     */
    Map<String, Object> score(Datastore datastore, Params params, JobControl control)
            throws IOException;
}
