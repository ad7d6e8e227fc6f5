package org.monailabel.engine.jobs;

/** The states of a background job, as MONAI Label reports them. */
public enum JobStatus {
    SUBMITTED,
    RUNNING,
    DONE,
    ERROR,
    STOPPED;

    /** Whether the job has ended. */
    public boolean isFinal() {
        return this == DONE || this == ERROR || this == STOPPED;
    }
}
