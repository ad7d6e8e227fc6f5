package org.monailabel.engine.jobs;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.JobControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background job and its record: MONAI Label's task object ({@code id}, {@code status}, {@code
 * request}, {@code start_ts}, {@code details}, {@code end_ts}) plus the latest progress and result.
 * Also the {@link JobControl} handed to the job. Thread-safe.
 */
public final class Job implements JobControl {
    private static final Logger logger = LoggerFactory.getLogger(Job.class);

    /** How many log lines {@code details} keeps, as upstream. */
    public static final int MAX_DETAILS = 20;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final String id;
    private final String name;
    private final Map<String, Object> request;
    private final Deque<String> details = new ArrayDeque<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private JobStatus status = JobStatus.SUBMITTED; // guarded by this
    private String startTs; // guarded by this
    private String endTs; // guarded by this
    private Map<String, Object> progress = Map.of(); // guarded by this
    private Map<String, Object> result; // guarded by this
    private final java.nio.file.Path logFile; // null: lines only in memory and the server log

    Job(String id, String name, Map<String, Object> request) {
        this(id, name, request, null);
    }

    /**
     * @param logFile where every line the job logs is appended too (kept after the server stops),
     *     or null
     */
    Job(String id, String name, Map<String, Object> request, java.nio.file.Path logFile) {
        this.id = Objects.requireNonNull(id, "id");
        this.name = Objects.requireNonNull(name, "name");
        this.request = Collections.unmodifiableMap(new LinkedHashMap<>(request));
        this.startTs = now();
        this.logFile = logFile;
    }

    /** The file the job's log lines are kept in, if any. */
    public Optional<java.nio.file.Path> logFile() {
        return Optional.ofNullable(logFile);
    }

    /** The job's id (a UUID). */
    public String id() {
        return id;
    }

    /** What the job works on, e.g. the trainer name. */
    public String name() {
        return name;
    }

    public synchronized JobStatus status() {
        return status;
    }

    /** The latest statistics the job reported; empty before the first report. */
    public synchronized Map<String, Object> progress() {
        return progress;
    }

    /** What the job returned, once DONE. */
    public synchronized Optional<Map<String, Object>> result() {
        return Optional.ofNullable(result);
    }

    @Override
    public boolean stopRequested() {
        return stopRequested;
    }

    @Override
    public void log(String line) {
        logger.info("[{} {}] {}", name, id, line);
        synchronized (this) {
            details.addLast(line);
            while (details.size() > MAX_DETAILS) {
                details.removeFirst();
            }
            if (logFile != null) {
                try {
                    java.nio.file.Files.writeString(
                            logFile,
                            now() + " " + line + "\n",
                            java.nio.charset.StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    logger.warn(
                            "Cannot write the log of job {} to {}: {}", id, logFile, e.toString());
                }
            }
        }
    }

    @Override
    public synchronized void progress(Map<String, Object> stats) {
        this.progress = Map.copyOf(Objects.requireNonNull(stats, "stats"));
    }

    /** Asks the job to stop at its next safe point; a job still queued will not run. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Waits until the job has ended; false on time-out. */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    synchronized void started() {
        status = JobStatus.RUNNING;
        startTs = now();
    }

    void finish(JobStatus end, Map<String, Object> jobResult, String line) {
        log(line);
        synchronized (this) {
            status = end;
            result = jobResult;
            endTs = now();
        }
        finished.countDown();
    }

    /** MONAI Label's task object. */
    public synchronized Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("name", name);
        json.put("status", status.name());
        Map<String, Object> req = new LinkedHashMap<>(request);
        json.put("request", req);
        json.put("start_ts", startTs);
        if (status != JobStatus.SUBMITTED || !details.isEmpty()) {
            json.put("details", new ArrayList<>(details));
        }
        if (endTs != null) {
            json.put("end_ts", endTs);
        }
        if (result != null) {
            json.put("result", result);
        }
        return json;
    }

    /** A snapshot of the log lines. */
    public synchronized List<String> details() {
        return List.copyOf(details);
    }

    private static String now() {
        return LocalDateTime.now().withNano(0).format(TIME);
    }
}
