package org.monailabel.engine.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * MONAI Label's roles, each including the ones before it: a {@link #USER} reads and runs models, an
 * {@link #ANNOTATOR} also saves labels and uploads images and sessions, a {@link #REVIEWER} also
 * approves or rejects labels, an {@link #ADMIN} also trains, replaces or deletes models, deletes
 * images and labels, runs scoring and batch inference and reads the logs.
 *
 * <p>Tokens name roles as Keycloak does for MONAI Label ({@code monailabel-annotator}) or plainly
 * ({@code annotator}); {@link #parse} accepts both, in any case.
 */
public enum Role {
    USER,
    ANNOTATOR,
    REVIEWER,
    ADMIN;

    /** The name MONAI Label's Keycloak realm uses, e.g. {@code monailabel-annotator}. */
    public String realmName() {
        return "monailabel-" + plainName();
    }

    /** The plain name, e.g. {@code annotator}. */
    public String plainName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role may do what {@code required} may (the same role or one before it). */
    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    /** The realm names of this role and of those it includes, highest first. */
    public List<String> grantedRealmNames() {
        List<String> names = new ArrayList<>();
        for (int i = ordinal(); i >= 0; i--) {
            names.add(values()[i].realmName());
        }
        return names;
    }

    /** The role a name stands for: {@code monailabel-admin} or {@code admin}, in any case. */
    public static Optional<Role> parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("monailabel-")) {
            n = n.substring("monailabel-".length());
        }
        for (Role r : values()) {
            if (r.plainName().equals(n)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The highest role among names (unknown names ignored), if any. */
    public static Optional<Role> highest(Iterable<String> names) {
        Role best = null;
        for (String name : names) {
            Optional<Role> r = parse(name);
            if (r.isPresent() && (best == null || r.get().includes(best))) {
                best = r.get();
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code user, annotator, reviewer, admin}, for messages. */
    public static String known() {
        List<String> names = new ArrayList<>();
        for (Role r : values()) {
            names.add(r.plainName());
        }
        return String.join(", ", names);
    }
}
