package org.monailabel.engine;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.monailabel.api.error.InvalidInputException;

/**
 * A reviewer's verdict on a label ({@link Labels#review}).
 *
 * @param state the new state
 * @param comment the reviewer's comment (may be empty)
 * @param level the difficulty the Reviewer records ({@code easy}, {@code medium}, {@code hard});
 *     empty keeps the one recorded
 * @param reviewer the reviewer's name, used only when the actor is {@code anonymous}
 *     (authentication off); a signed-in reviewer is named by the sign-in
 */
public record Review(
        ReviewState state, String comment, Optional<String> level, Optional<String> reviewer) {
    /** The Reviewer's difficulty levels. */
    public static final Set<String> LEVELS = Set.of("easy", "medium", "hard");

    public Review {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(comment, "comment");
        level = Objects.requireNonNull(level, "level").map(l -> l.strip().toLowerCase(Locale.ROOT));
        Objects.requireNonNull(reviewer, "reviewer");
        if (level.isPresent() && !level.get().isEmpty() && !LEVELS.contains(level.get())) {
            throw new InvalidInputException(
                    "Review level must be easy, medium or hard, got '" + level.get() + "'");
        }
    }

    /** A verdict with a comment, keeping the level. */
    public static Review of(ReviewState state, String comment) {
        return new Review(state, comment, Optional.empty(), Optional.empty());
    }
}
