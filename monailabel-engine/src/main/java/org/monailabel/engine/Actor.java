package org.monailabel.engine;

import java.util.Objects;

/**
 * Who asks for a change, as the label history and the audit log record it.
 *
 * @param user the signed-in user; {@code anonymous} when authentication is off; {@value
 *     #SERVER_USER} for an embedding program or the server itself
 * @param address the client's network address (no port), or empty
 */
public record Actor(String user, String address) {
    /** The user of a request without sign-in, as the HTTP layer names it. */
    public static final String ANONYMOUS_USER = "anonymous";

    /** The user of {@link #SERVER}. */
    public static final String SERVER_USER = "server";

    /** The server itself, or a program embedding the engine. */
    public static final Actor SERVER = new Actor(SERVER_USER, "");

    public Actor {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(address, "address");
    }
}
