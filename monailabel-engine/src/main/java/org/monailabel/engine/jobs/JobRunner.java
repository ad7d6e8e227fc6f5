package org.monailabel.engine.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.JobControl;
import org.monailabel.api.error.AlreadyRunningException;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.MonaiLabelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs background jobs of one kind (training, scoring, batch inference) one at a time on its own
 * thread, keeping the records of the jobs since start-up (the newest {@code maxHistory}). A job
 * submitted while another is queued or running is refused ({@link AlreadyRunningException}, HTTP
 * 429) unless it asks to be enqueued. Thread-safe.
 *
 * <pre>{@code
 * JobRunner training = new JobRunner("train", 100);
 * Job job = training.submit("segmentation", request, false, control -> trainer.train(params, control));
 * training.stop(Duration.ofSeconds(30));    // the running job, once it reached a safe point
 * }</pre>
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(JobRunner.class);

    /**
     * The work of a job; it polls {@link JobControl#stopRequested()} and returns promptly once set.
     */
    @FunctionalInterface
    public interface Work {
        Map<String, Object> run(JobControl control) throws Exception;
    }

    private final String kind;
    private final int maxHistory;
    private final Path logDir;
    private final ExecutorService thread;
    private final Deque<Job> history = new LinkedList<>(); // guarded by this, oldest first
    private boolean closed; // guarded by this

    private static final java.time.format.DateTimeFormatter LOG_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /**
     * @param kind what the jobs are, for thread names and messages ({@code train}, {@code scoring})
     * @param maxHistory how many job records to keep
     */
    public JobRunner(String kind, int maxHistory) {
        this(kind, maxHistory, null);
    }

    /**
     * @param logDir where each job's log lines are kept, one file a job ({@code
     *     <kind>-<yyyyMMdd-HHmmss>-<id>.log}), or null for none
     */
    public JobRunner(String kind, int maxHistory, Path logDir) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.logDir = logDir;
        if (maxHistory < 1) {
            throw new IllegalArgumentException("maxHistory must be at least 1");
        }
        this.maxHistory = maxHistory;
        this.thread =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, kind + "-job");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Submits a job.
     *
     * @param name what it works on (the trainer or method name)
     * @param request the request as given (shown in the task record)
     * @param enqueue wait behind a job in progress instead of refusing
     * @throws AlreadyRunningException if a job is queued or running and {@code enqueue} is false
     */
    public synchronized Job submit(
            String name, Map<String, Object> request, boolean enqueue, Work work) {
        Objects.requireNonNull(work, "work");
        if (closed) {
            throw new ConflictException("The server is shutting down");
        }
        if (!enqueue && active().isPresent()) {
            throw new AlreadyRunningException(capitalized() + " Task is Already Running");
        }
        String id = UUID.randomUUID().toString();
        Path logFile = null;
        if (logDir != null) {
            try {
                Files.createDirectories(logDir);
                logFile =
                        logDir.resolve(
                                kind.replace(' ', '_')
                                        + "-"
                                        + LOG_TIME.format(java.time.LocalDateTime.now())
                                        + "-"
                                        + id
                                        + ".log");
            } catch (IOException e) {
                logger.warn("Cannot keep job logs in {}: {}", logDir, e.toString());
            }
        }
        Job job = new Job(id, name, request, logFile);
        history.addLast(job);
        trim();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        thread.execute(() -> run(job, work, mdc));
        return job;
    }

    private void run(Job job, Work work, Map<String, String> mdc) {
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        MDC.put("job", job.id());
        try {
            if (job.stopRequested()) {
                job.finish(
                        JobStatus.STOPPED, null, capitalized() + " job stopped before it started");
                return;
            }
            job.started();
            job.log(capitalized() + " job '" + job.name() + "' started");
            try {
                Map<String, Object> result = work.run(job);
                if (job.stopRequested()) {
                    job.finish(JobStatus.STOPPED, result, capitalized() + " job stopped");
                } else {
                    job.finish(JobStatus.DONE, result, capitalized() + " job finished");
                }
            } catch (MonaiLabelException e) {
                logger.warn("{} job {} failed: {}", kind, job.id(), e.getMessage());
                job.finish(
                        job.stopRequested() ? JobStatus.STOPPED : JobStatus.ERROR,
                        null,
                        "Failed: " + e.getMessage());
            } catch (Exception | LinkageError e) {
                logger.error("{} job {} failed", kind, job.id(), e);
                job.finish(
                        job.stopRequested() ? JobStatus.STOPPED : JobStatus.ERROR,
                        null,
                        "Failed: " + e);
            }
        } finally {
            MDC.clear();
        }
    }

    /** The job queued or running first, if any. */
    public synchronized Optional<Job> active() {
        return history.stream().filter(j -> !j.status().isFinal()).findFirst();
    }

    /** The job running now, if any. */
    public synchronized Optional<Job> running() {
        return history.stream().filter(j -> j.status() == JobStatus.RUNNING).findFirst();
    }

    /** The newest job record. */
    public synchronized Optional<Job> latest() {
        return Optional.ofNullable(history.peekLast());
    }

    /** All job records kept, oldest first. */
    public synchronized List<Job> all() {
        return new ArrayList<>(history);
    }

    /** The newest job record for this name. */
    public synchronized Optional<Job> latest(String name) {
        Job found = null;
        for (Job j : history) {
            if (j.name().equals(name)) {
                found = j;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Asks the running job (or, if none runs, the first queued one) to stop and waits up to {@code
     * wait} for it to reach a safe point.
     *
     * @return the job asked to stop, if there was one
     */
    public Optional<Job> stop(Duration wait) throws InterruptedException {
        Optional<Job> target;
        synchronized (this) {
            target = running().or(this::active);
        }
        if (target.isEmpty()) {
            return target;
        }
        target.get().requestStop();
        if (target.get().status() == JobStatus.SUBMITTED) {
            return target; // marked STOPPED when its turn comes
        }
        if (!target.get().awaitEnd(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            logger.warn(
                    "{} job {} did not stop within {} s",
                    kind,
                    target.get().id(),
                    wait.toSeconds());
        }
        return target;
    }

    /** Refuses new jobs, stops the running one and the queued ones, and waits for the thread. */
    @Override
    public void close() {
        List<Job> pending;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending = history.stream().filter(j -> !j.status().isFinal()).toList();
        }
        pending.forEach(Job::requestStop);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                logger.warn("The {} job did not stop within 60 s", kind);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void trim() {
        while (history.size() > maxHistory && history.peekFirst().status().isFinal()) {
            history.removeFirst();
        }
    }

    private String capitalized() {
        return Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
    }
}
