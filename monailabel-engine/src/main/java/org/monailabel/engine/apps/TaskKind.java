package org.monailabel.engine.apps;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.AppComponent;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;

/**
 * A kind of app component: its service interface, what {@code /info/} lists for it and the word
 * that names it in messages ({@code Model 'x' not found}). Names are unique per kind.
 *
 * @param <T> the service interface
 */
public final class TaskKind<T extends AppComponent> {
    /** Inference tasks ({@code models} in {@code /info/}). */
    public static final TaskKind<InferenceTask> MODEL =
            new TaskKind<>("Model", InferenceTask.class, InferenceTask::info);

    /** Trainers ({@code trainers}). */
    public static final TaskKind<TrainTask> TRAINER =
            new TaskKind<>("Trainer", TrainTask.class, TrainTask::info);

    /** Active-learning strategies ({@code strategies}). */
    public static final TaskKind<ActiveLearningStrategy> STRATEGY =
            new TaskKind<>("Strategy", ActiveLearningStrategy.class, ActiveLearningStrategy::info);

    /** Scoring methods ({@code scoring}). */
    public static final TaskKind<ScoringMethod> SCORING =
            new TaskKind<>("Scoring method", ScoringMethod.class, ScoringMethod::info);

    /** All kinds, in the order {@code /info/} lists them. */
    public static final List<TaskKind<?>> ALL = List.of(MODEL, TRAINER, STRATEGY, SCORING);

    private final String label;
    private final Class<T> type;
    private final Function<T, Object> info;

    private TaskKind(String label, Class<T> type, Function<T, Object> info) {
        this.label = label;
        this.type = type;
        this.info = info;
    }

    /** The word for messages, e.g. {@code Model}. */
    public String label() {
        return label;
    }

    /** The service interface. */
    public Class<T> type() {
        return type;
    }

    /**
     * Calls the component's {@code info()} (app code): a ModelInfo, TrainerInfo or ComponentInfo.
     */
    Object infoOf(AppComponent component) {
        return Objects.requireNonNull(info.apply(type.cast(component)), "info()");
    }

    @Override
    public String toString() {
        return label;
    }
}
