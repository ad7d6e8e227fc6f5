package org.monailabel.engine.apps;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.monailabel.api.AppConfig;

/**
 * Which inference tasks and trainers are served, from {@code --conf models a,b} as in MONAI Label:
 * absent or {@code all} selects everything. Strategies and scoring methods are always served.
 */
final class ModelSelection {
    private final Set<String> names; // empty = all

    private ModelSelection(Set<String> names) {
        this.names = names;
    }

    static ModelSelection of(AppConfig config) {
        List<String> listed = config.getList("models");
        if (listed.isEmpty() || listed.stream().anyMatch(n -> n.equalsIgnoreCase("all"))) {
            return new ModelSelection(Set.of());
        }
        return new ModelSelection(Set.copyOf(new LinkedHashSet<>(listed)));
    }

    boolean selectsAll() {
        return names.isEmpty();
    }

    /** The names asked for; empty when all are selected. */
    Set<String> names() {
        return names;
    }

    boolean serves(TaskKind<?> kind, String name) {
        if (selectsAll() || (kind != TaskKind.MODEL && kind != TaskKind.TRAINER)) {
            return true;
        }
        return names.contains(name);
    }
}
