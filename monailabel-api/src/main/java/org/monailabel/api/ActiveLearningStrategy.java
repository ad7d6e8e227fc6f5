package org.monailabel.api;

import java.util.Optional;

/**
 * Picks the next image to annotate ({@code POST /activelearning/{name}}). Called concurrently; the
 * server records the hand-out in the datastore after a sample is chosen.
 */
public interface ActiveLearningStrategy extends AppComponent {
    /** What {@code /info/} lists under {@code strategies}; cheap, callable before {@code open}. */
    ComponentInfo info();

    @Override
    default String name() {
        return info().name();
    }

    /**
     * The next image to label among those without a {@code final} label, or empty when none is
     * left.
     *
     * @param datastore the datastore to choose from
     * @param params the client's params merged over defaults ({@code client_id}, ...)
     */
    Optional<Sample> next(Datastore datastore, Params params);
}
