package org.monailabel.engine;

/** The kinds of background job {@link MonaiLabel} runs, each on its own thread, one at a time. */
public enum JobKind {
    /** Training a model ({@code /train/}). */
    TRAIN("Train"),
    /** Scoring the unlabeled images ({@code /scoring/}). */
    SCORING("Scoring"),
    /** Running a model over many images and saving the labels ({@code /batch/infer}). */
    BATCH_INFER("Batch Infer");

    private final String label;

    JobKind(String label) {
        this.label = label;
    }

    /** How messages name the kind ({@code No Train Tasks Found}). */
    public String label() {
        return label;
    }
}
