package org.monailabel.engine;

import java.util.Locale;
import java.util.Optional;

/**
 * The review state of a label, stored as MONAI Label's Slicer Reviewer module stores it: in the
 * label's info, {@code segmentationMeta.status} is {@code "approved"}, {@code "flagged"} (marked
 * for revision: rejected) or {@code ""} (not reviewed yet: pending).
 */
public enum ReviewState {
    /** Not reviewed (yet). */
    PENDING(""),
    /** Approved by a reviewer. */
    APPROVED("approved"),
    /** Sent back for revision (the Reviewer's "flagged"). */
    REJECTED("flagged");

    private final String reviewerStatus;

    ReviewState(String reviewerStatus) {
        this.reviewerStatus = reviewerStatus;
    }

    /** The value of {@code segmentationMeta.status}, as the Reviewer writes and reads it. */
    public String reviewerStatus() {
        return reviewerStatus;
    }

    /** The wire spelling: {@code pending}, {@code approved}, {@code rejected}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A state from its wire spelling ({@code pending}, {@code approved}, {@code rejected}) or the
     * Reviewer's status ({@code ""}, {@code approved}, {@code flagged}), any case.
     */
    public static Optional<ReviewState> parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (ReviewState state : values()) {
            if (state.wireName().equals(v) || state.reviewerStatus.equals(v)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    /**
     * The state of a Reviewer status: approved, flagged, anything else (also the Reviewer's
     * computed "segmented") pending.
     */
    public static ReviewState ofReviewerStatus(Object status) {
        if (APPROVED.reviewerStatus.equals(status)) {
            return APPROVED;
        }
        return REJECTED.reviewerStatus.equals(status) ? REJECTED : PENDING;
    }
}
