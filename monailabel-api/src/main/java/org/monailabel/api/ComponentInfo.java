package org.monailabel.api;

import java.util.Objects;

/**
 * Name and description of an active-learning strategy or a scoring method, as {@code /info/} lists
 * them under {@code strategies} and {@code scoring}.
 *
 * @param name the name used in {@code /activelearning/{name}} or {@code /scoring/{name}}
 * @param description one line for the client
 */
public record ComponentInfo(String name, String description) {
    public ComponentInfo {
        Names.check("Component", name);
        Objects.requireNonNull(description, "description");
    }
}
