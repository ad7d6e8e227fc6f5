package org.monailabel.engine.auth;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a checked token belongs to, as {@code GET /auth/token/valid} reports it.
 *
 * @param username the user name (a local user's name, or the provider's {@code preferred_username})
 * @param email the e-mail address, or empty
 * @param name the full name, or empty
 * @param role the highest MONAI Label role granted, if any (a token without one is valid but may do
 *     nothing but sign in)
 * @param roles the role names as reported: the token's own for an external provider, the realm
 *     names of the role and those it includes for a local user
 */
public record Identity(
        String username, String email, String name, Optional<Role> role, List<String> roles) {
    public Identity {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        roles = List.copyOf(roles);
    }

    /** Whether this user may do what {@code required} may. */
    public boolean has(Role required) {
        return role.isPresent() && role.get().includes(required);
    }
}
