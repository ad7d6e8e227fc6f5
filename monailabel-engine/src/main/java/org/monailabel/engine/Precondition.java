package org.monailabel.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.datastore.LabelEdit;
import org.monailabel.engine.datastore.LabelVersion;

/**
 * The condition of a change to a label, from the request's {@code If-Match} and {@code
 * If-None-Match} (RFC 9110 §13.1): {@code If-Match: "<etag>"} changes the label only while that
 * version is current (strong comparison), {@code If-Match: *} only if the label exists, {@code
 * If-None-Match: *} only if it does not. A refused change is a {@link ConflictException} (409)
 * naming who changed the label since, when, and the current entity tag. Without either header
 * anything goes (last write wins). Immutable.
 *
 * <pre>{@code
 * Precondition.of(Optional.of("\"3-0f1e2d3c4b5a6978\""), Optional.empty())
 * }</pre>
 */
public final class Precondition {
    private static final Precondition NONE = new Precondition(Optional.empty(), Optional.empty());
    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([^\"]*)\"\\s*(,|$)");

    /** An entity-tag list: {@code *}, or tags (weak ones marked). */
    private record Tags(boolean any, List<String> strong, List<String> weak) {
        boolean matchesStrongly(String etag) {
            return strong.contains(etag);
        }

        boolean matchesWeakly(String etag) {
            return strong.contains(etag) || weak.contains(etag);
        }
    }

    private final Optional<Tags> ifMatch;
    private final Optional<Tags> ifNoneMatch;

    private Precondition(Optional<Tags> ifMatch, Optional<Tags> ifNoneMatch) {
        this.ifMatch = ifMatch;
        this.ifNoneMatch = ifNoneMatch;
    }

    /** No condition: last write wins. */
    public static Precondition none() {
        return NONE;
    }

    /**
     * The condition of the header values (absent or blank: none).
     *
     * @throws InvalidInputException if a value is neither {@code *} nor a list of quoted tags
     */
    public static Precondition of(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
        Optional<Tags> match = ifMatch.filter(s -> !s.isBlank()).map(s -> parse("If-Match", s));
        Optional<Tags> noneMatch =
                ifNoneMatch.filter(s -> !s.isBlank()).map(s -> parse("If-None-Match", s));
        return match.isEmpty() && noneMatch.isEmpty() ? NONE : new Precondition(match, noneMatch);
    }

    /** Whether this condition holds for anything. */
    public boolean isNone() {
        return ifMatch.isEmpty() && ifNoneMatch.isEmpty();
    }

    /**
     * Whether an {@code If-None-Match} value of a download names {@code etag} (weak comparison, as
     * RFC 9110 §13.1.2 asks for a GET): the client's copy is current, a 304 answers.
     */
    public static boolean names(String ifNoneMatch, String etag) {
        Tags tags = parse("If-None-Match", ifNoneMatch);
        return tags.any() || tags.matchesWeakly(etag);
    }

    private static Tags parse(String header, String value) {
        String text = value.strip();
        if (text.equals("*")) {
            return new Tags(true, List.of(), List.of());
        }
        List<String> strong = new ArrayList<>();
        List<String> weak = new ArrayList<>();
        Matcher m = TAG.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new InvalidInputException(
                        header + " must be * or a list of quoted entity tags, got '" + value + "'");
            }
            (m.group(1) == null ? strong : weak).add("\"" + m.group(2) + "\"");
            at = m.end();
        }
        if (strong.isEmpty() && weak.isEmpty()) {
            throw new InvalidInputException(header + " names no entity tag");
        }
        return new Tags(false, strong, weak);
    }

    /** This condition on one label, for the datastore to check under the label's lock. */
    LabelEdit.Condition forLabel(String imageId, String tag) {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(tag, "tag");
        if (isNone()) {
            return LabelEdit.ANY;
        }
        return history -> check(describe(imageId, tag), history);
    }

    private void check(String label, List<LabelVersion> history) {
        Optional<LabelVersion> last =
                history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
        Optional<LabelVersion> current = last.filter(v -> !v.removed());
        if (ifMatch.isPresent()) {
            Tags tags = ifMatch.get();
            if (current.isEmpty()) {
                throw new ConflictException(
                        label
                                + (last.isPresent()
                                        ? " was removed by "
                                                + by(last.get())
                                                + "; no version is"
                                                + " current"
                                        : " does not exist")
                                + ", so If-Match cannot match");
            }
            if (!tags.any() && !tags.matchesStrongly(current.get().etag())) {
                throw new ConflictException(label + changedSince(tags, history, current.get()));
            }
        }
        if (ifNoneMatch.isPresent() && current.isPresent()) {
            Tags tags = ifNoneMatch.get();
            if (tags.any()) {
                throw new ConflictException(
                        label
                                + " already exists: version "
                                + current.get().version()
                                + " saved by "
                                + by(current.get())
                                + "; current ETag "
                                + current.get().etag());
            }
            if (tags.matchesWeakly(current.get().etag())) {
                throw new ConflictException(
                        label
                                + " is still version "
                                + current.get().version()
                                + ", which If-None-Match names; current ETag "
                                + current.get().etag());
            }
        }
    }

    /** Who changed the label since the version the client named, when, and the current ETag. */
    private static String changedSince(
            Tags tags, List<LabelVersion> history, LabelVersion current) {
        Optional<LabelVersion> known =
                history.stream()
                        .filter(v -> !v.removed() && tags.matchesStrongly(v.etag()))
                        .reduce((a, b) -> b);
        StringBuilder message = new StringBuilder();
        if (known.isPresent()) {
            int changes = current.version() - known.get().version();
            message.append(" changed since version ")
                    .append(known.get().version())
                    .append(" (")
                    .append(known.get().etag())
                    .append("): ")
                    .append(changes)
                    .append(changes == 1 ? " change" : " changes")
                    .append(", the last by ");
        } else {
            message.append(" has no version with the ETag If-Match names; it was last saved by ");
        }
        message.append(by(current))
                .append(" (version ")
                .append(current.version())
                .append("); current ETag ")
                .append(current.etag());
        return message.toString();
    }

    private static String by(LabelVersion v) {
        return "'" + v.user() + "' at " + v.time();
    }

    private static String describe(String imageId, String tag) {
        return "Label '" + imageId + "' (tag '" + tag + "')";
    }

    @Override
    public String toString() {
        return isNone()
                ? "Precondition[none]"
                : "Precondition[" + ifMatch + ", " + ifNoneMatch + "]";
    }
}
