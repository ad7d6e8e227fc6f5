package org.monailabel.engine;

import java.util.Objects;
import java.util.Optional;
import org.monailabel.engine.jobs.Job;

/**
 * What became of one job of a request that submits several ({@code POST /train/}, {@code POST
 * /scoring/}): the job, or why it was refused.
 *
 * @param job the submitted job
 * @param refusal the reason it was not submitted
 */
public record Submission(Optional<Job> job, Optional<String> refusal) {
    public Submission {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(refusal, "refusal");
        if (job.isPresent() == refusal.isPresent()) {
            throw new IllegalArgumentException("a submission has a job or a refusal");
        }
    }

    static Submission of(Job job) {
        return new Submission(Optional.of(job), Optional.empty());
    }

    static Submission refused(String reason) {
        return new Submission(Optional.empty(), Optional.of(reason));
    }
}
