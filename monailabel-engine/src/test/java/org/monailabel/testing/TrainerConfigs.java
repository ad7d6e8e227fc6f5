package org.monailabel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.monailabel.api.Params;

/**
 * Checks that what a trainer's {@code /info/} config shows and what its runs use are the same
 * settings: with no params, or params merged over {@code /info/} as the server merges them, a run's
 * settings are the config shown; and a request changing any one key changes that key, and only it,
 * in the run's settings.
 */
public final class TrainerConfigs {
    private TrainerConfigs() {}

    /**
     * @param info the trainer's {@code info().config()}
     * @param runConfig the config of the settings a run with these request params uses
     */
    public static void assertRunsUseInfo(
            Map<String, Object> info, Function<Params, Map<String, Object>> runConfig) {
        assertThat(runConfig.apply(Params.empty()))
                .as("a run without params")
                .containsExactlyEntriesOf(info);
        assertThat(runConfig.apply(Params.empty().withDefaults(info)))
                .as("a run with params merged over /info/")
                .containsExactlyEntriesOf(info);
        for (Map.Entry<String, Object> e : info.entrySet()) {
            Object other = otherValue(e.getValue());
            Map<String, Object> expected = new LinkedHashMap<>(info);
            expected.put(e.getKey(), other);
            Object requested =
                    other instanceof List<?> choices
                            ? choices.get(0)
                            : other; // a client sends one choice
            assertThat(runConfig.apply(Params.of(Map.of(e.getKey(), requested))))
                    .as("a run with %s=%s", e.getKey(), requested)
                    .containsExactlyEntriesOf(expected);
        }
    }

    /** Another value of the same type, within what a run accepts as it is. */
    private static Object otherValue(Object value) {
        if (value instanceof Integer i) {
            return i + 1;
        }
        if (value instanceof Double d) {
            return d + 0.25;
        }
        if (value instanceof Boolean b) {
            return !b;
        }
        if (value instanceof List<?> choices && choices.size() > 1) {
            List<Object> reversed = new ArrayList<>(choices);
            Collections.reverse(reversed);
            return List.copyOf(reversed);
        }
        throw new AssertionError("No other value for " + value);
    }
}
