package org.monailabel.engine.apps;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code /info/} reports about one app.
 *
 * @param name the app's name (jar name without {@code .jar}, folder name, or {@code classpath})
 * @param source the jar or folder name it came from (no server path)
 * @param state whether its tasks are served
 * @param error why it failed, for a FAILED app
 * @param tasks the names of the tasks it provides (those discovered, for a FAILED app)
 */
public record AppStatus(
        String name, String source, AppState state, Optional<String> error, List<String> tasks) {
    public AppStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(error, "error");
        tasks = List.copyOf(tasks);
    }

    static AppStatus loaded(AppSource source, List<String> tasks) {
        return new AppStatus(
                source.name(), source.sourceName(), AppState.LOADED, Optional.empty(), tasks);
    }

    static AppStatus failed(AppSource source, String error, List<String> tasks) {
        return new AppStatus(
                source.name(), source.sourceName(), AppState.FAILED, Optional.of(error), tasks);
    }
}
