package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.monailabel.api.ActiveLearningStrategy;
import org.monailabel.api.AppConfig;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelInfo;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.api.ScoringMethod;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.AppException;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.AppEnvironment;
import org.monailabel.engine.apps.AppFolderWatcher;
import org.monailabel.engine.apps.AppRegistry;
import org.monailabel.engine.apps.AppSource;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.apps.TaskKind;
import org.monailabel.engine.datastore.ContentCheck;
import org.monailabel.engine.datastore.FileExtensions;
import org.monailabel.engine.datastore.dicom.DicomLabels;
import org.monailabel.engine.datastore.dicom.DicomWebSource;
import org.monailabel.engine.datastore.dicom.DicomWebStudies;
import org.monailabel.engine.datastore.dicom.SeriesDatastore;
import org.monailabel.engine.datastore.dicom.StudiesFolder;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.jobs.JobRunner;
import org.monailabel.engine.sample.DicomSampleStudies;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.engine.session.Session;
import org.monailabel.engine.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * monailabel's application layer: every use case of the server, callable in-process. It loads apps
 * (from an apps folder, the class path, or both), runs inference through one bounded queue per
 * model ({@link InferenceLimits}), runs training, scoring and batch inference as background jobs
 * ({@link JobKind}), keeps upload sessions, and manages the published weights of the models ({@link
 * #models()}). The HTTP server only translates requests into these calls; another Java program uses
 * them directly:
 *
 * <pre>{@code
 * try (MonaiLabel monaiLabel = MonaiLabel.builder()
 *         .studies(Path.of("studies"))          // opened, watched and closed by monailabel
 *         .appsFolder(Path.of("apps"))          // each *.jar or sub-folder of jars is one app
 *         .conf("models", "segmentation")
 *         .workDir(Path.of(".monailabel"))
 *         .build()) {
 *     Job training = monaiLabel.train("segmentation", Map.of("max_epochs", 10), false);
 *     training.awaitEnd(1, TimeUnit.HOURS);
 *     try (Inference inference = monaiLabel.infer(InferRequest.ofImage("segmentation", "spleen_1", Map.of()))) {
 *         Path label = inference.result().file().orElseThrow();
 *     }
 *     Map<String, Object> next = monaiLabel.nextSample("random", Params.of(Map.of("client_id", "me")));
 * }
 * }</pre>
 *
 * <p>Thread-safe: every method may be called concurrently. {@link #close()} stops the jobs at a
 * safe point, stops watching the apps folder, unloads the apps once the calls in flight have
 * finished, and closes the datastore if it opened it ({@link Builder#studies}); a datastore given
 * with {@link Builder#datastore} stays open.
 */
public final class MonaiLabel implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(MonaiLabel.class);

    /**
     * The {@code client_id} recorded for a hand-out when the params have none: MONAI Label records
     * the user name, which is {@code admin} while authentication is off.
     */
    public static final String DEFAULT_CLIENT_ID = "admin";

    /** Which images batch inference runs on. */
    public enum BatchImages {
        /** Every image. */
        ALL,
        /** Images with a final label. */
        LABELED,
        /** Images without a final label. */
        UNLABELED;

        /** The value of {@code images=}: {@code all}, {@code labeled} or {@code unlabeled}. */
        public static Optional<BatchImages> parse(String value) {
            for (BatchImages b : values()) {
                if (b.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return Optional.of(b);
                }
            }
            return Optional.empty();
        }

        /** The wire spelling. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Datastore datastore;
    private final Optional<Datastore> ownedDatastore;
    private final AppEnvironment environment;
    private final AppRegistry registry;
    private final Optional<AppFolderWatcher> watcher;
    private final Admissions admissions;
    private final SessionStore sessions;
    private final Map<JobKind, JobRunner> jobs;
    private final Models models;
    private final Path inferRoot;
    private final Duration stopTimeout;
    private final ScheduledExecutorService housekeeping;
    private final Optional<Prefetcher> prefetcher;
    private final Optional<SamplesAhead> samplesAhead;
    private final AuditLog audit;
    private final SampleLeases leases;
    private final Labels labels;
    private final Images images;

    private MonaiLabel(
            Builder b,
            Datastore datastore,
            Optional<Datastore> owned,
            AppEnvironment environment,
            AppRegistry registry,
            Optional<AppFolderWatcher> watcher,
            SessionStore sessions,
            Path inferRoot,
            AuditLog audit) {
        this.datastore = datastore;
        this.audit = audit;
        this.leases =
                new SampleLeases(
                        Duration.ofSeconds(
                                AppConfig.of(b.conf)
                                        .getInt(
                                                SampleLeases.SETTING,
                                                (int) SampleLeases.DEFAULT_SECONDS)),
                        Clock.systemUTC());
        this.labels = new Labels(datastore, audit, leases::release);
        this.images = new Images(datastore, audit);
        this.ownedDatastore = owned;
        this.environment = environment;
        this.registry = registry;
        this.watcher = watcher;
        this.admissions = new Admissions(b.limits);
        this.sessions = sessions;
        Map<JobKind, JobRunner> runners = new LinkedHashMap<>();
        Path jobLogs = environment.workDir().resolve("logs").resolve("jobs");
        runners.put(JobKind.TRAIN, new JobRunner("train", b.jobHistory, jobLogs));
        runners.put(JobKind.SCORING, new JobRunner("scoring", b.jobHistory, jobLogs));
        runners.put(JobKind.BATCH_INFER, new JobRunner("batch infer", b.jobHistory, jobLogs));
        this.jobs = Map.copyOf(runners);
        this.inferRoot = inferRoot;
        this.stopTimeout = b.stopTimeout;
        this.models = new Models(registry, environment, this::trainingJob, audit);
        this.housekeeping =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "housekeeping");
                            t.setDaemon(true);
                            return t;
                        });
        housekeeping.scheduleWithFixedDelay(sessions::purgeExpired, 1, 1, TimeUnit.MINUTES);
        this.prefetcher =
                AppConfig.of(b.conf).getBoolean(Prefetcher.SETTING, true)
                        ? Optional.of(new Prefetcher(registry, datastore))
                        : Optional.empty();
        this.samplesAhead =
                SamplesAhead.preparable(datastore)
                        .map(p -> new SamplesAhead(datastore, p, this::scoringState));
    }

    /**
     * Inference requests running and waiting now, per model asked for so far ({@code {"running",
     * "waiting"}}), for monitoring.
     */
    public Map<String, Map<String, Integer>> inferenceLoad() {
        return admissions.load();
    }

    /** The last scoring job's id; a running one counts as a state of its own. */
    private Optional<String> scoringState() {
        Optional<Job> running = running(JobKind.SCORING);
        if (running.isPresent()) {
            return Optional.of("running " + running.get().id());
        }
        return latest(JobKind.SCORING).map(Job::id);
    }

    /**
     * A pass-through to the PACS the datastore serves, when it is one ({@link Builder#dicomWeb}):
     * forwards clients' DICOMweb requests with the server's credentials.
     */
    public Optional<PacsProxy> pacsProxy() {
        return ownedDatastore
                .filter(SeriesDatastore.class::isInstance)
                .map(d -> ((SeriesDatastore) d).source())
                .filter(DicomWebSource.class::isInstance)
                .map(s -> new PacsProxy(((DicomWebSource) s).client()));
    }

    /** Whether a studies location names a DICOMweb server ({@code http(s)://...}). */
    public static boolean isDicomWebUrl(String studies) {
        return DicomWebStudies.isUrl(studies);
    }

    /**
     * What makes an inference's label a DICOM SEG of its image ({@code output=dicom_seg}).
     *
     * @throws InvalidInputException if the image is not a DICOM series of the datastore
     * @throws NotFoundException if there is no such image
     */
    public DicomSegOutput dicomSegOutput(String imageId) {
        Objects.requireNonNull(imageId, "imageId");
        return new DicomSegOutput(
                DicomLabels.referencedSeries(imageId, datastore.imageInfo(imageId)));
    }

    /** A builder; {@link Builder#datastore} or {@link Builder#studies} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- what is served ----

    /** The datastore the tasks work on. */
    public Datastore datastore() {
        return datastore;
    }

    /**
     * The label use cases of clients: saves and removals on a precondition, with history, reviews,
     * audited.
     */
    public Labels labels() {
        return labels;
    }

    /** The image use cases of clients: add, remove, update info, audited. */
    public Images images() {
        return images;
    }

    /**
     * The audit log ({@code <workDir>/audit/audit.log}): the engine records its use cases' changes;
     * other code adds its own events.
     */
    public AuditLog audit() {
        return audit;
    }

    /** The status of every app, loaded or failed. */
    public List<AppStatus> apps() {
        return registry.statuses();
    }

    /**
     * Models, trainers, strategies, scoring methods and app statuses, as {@code /info/} shows them.
     */
    public AppsInfo info() {
        return registry.info();
    }

    /**
     * What a model says of itself ({@code /info/}'s entry), without describing the others.
     *
     * @throws NotFoundException if no app serves it
     */
    public ModelInfo model(String name) {
        try (Lease<InferenceTask> lease = registry.inference(name)) {
            return lease.task().info();
        }
    }

    /**
     * A trainer's statistics for {@code /info/}: the running job's latest progress, else what the
     * trainer last recorded; empty when it never trained or failed to say.
     */
    public Map<String, Object> trainStats(String trainer) {
        Optional<Job> running = job(JobKind.TRAIN).running().filter(j -> j.name().equals(trainer));
        if (running.isPresent() && !running.get().progress().isEmpty()) {
            return running.get().progress();
        }
        try (Lease<TrainTask> lease = registry.trainer(trainer)) {
            Map<String, Object> stats = lease.call(TrainTask::stats);
            return stats == null ? Map.of() : stats;
        } catch (MonaiLabelException e) {
            return Map.of(); // unloaded meanwhile
        } catch (IOException | RuntimeException e) {
            logger.warn("Trainer '{}' failed to report its stats: {}", trainer, e.toString());
            return Map.of();
        }
    }

    /**
     * The published weights of the served models: download, describe, upload, roll back, remove.
     */
    public Models models() {
        return models;
    }

    // ---- inference ----

    /**
     * Takes a place in the model's queue and waits for a running slot, before the request's upload
     * is read; the place is given back when the admission is closed.
     *
     * @throws NotFoundException if no app serves the model
     * @throws org.monailabel.api.error.BusyException if the model's queue is full (retry after 1 s)
     */
    public Admission admit(String model) throws InterruptedException {
        registry.inference(model).close(); // unknown model: 404 before busy
        return new Admission(model, admissions.enter(model));
    }

    /** A place in a model's queue ({@link #admit}); one inference runs on it. */
    public final class Admission implements AutoCloseable {
        private final String model;
        private final Admissions.Permit permit;

        private Admission(String model, Admissions.Permit permit) {
            this.model = model;
            this.permit = permit;
        }

        /**
         * Runs the request, which must be for the admitted model.
         *
         * @see MonaiLabel#infer(InferRequest)
         */
        public Inference infer(InferRequest request) throws IOException {
            if (!request.model().equals(model)) {
                throw new IllegalArgumentException(
                        "Admitted for '" + model + "', not '" + request.model() + "'");
            }
            return run(request);
        }

        @Override
        public void close() {
            permit.close();
        }
    }

    /**
     * Runs a model on the request's image in the calling thread, after waiting its turn in the
     * model's queue: resolves the image (upload, session, datastore image), applies the model's
     * defaults under the params, and saves the label when asked ({@code save_label}). Close the
     * result to delete its work folder.
     *
     * @throws NotFoundException unknown model, image or session
     * @throws InvalidInputException no image given, or an upload that is not what its name says
     * @throws org.monailabel.api.error.BusyException if the model's queue is full
     */
    public Inference infer(InferRequest request) throws IOException, InterruptedException {
        try (Admission admission = admit(request.model())) {
            return admission.infer(request);
        }
    }

    private Inference run(InferRequest request) throws IOException {
        Path work = WorkFolders.create(inferRoot);
        try {
            Input input = input(request, work);
            Optional<Path> label =
                    request.label().isPresent()
                            ? Optional.of(keep(request.label().get(), work, "input_label"))
                            : Optional.empty();
            InferenceResult result;
            Params params;
            try (Lease<InferenceTask> lease = registry.inference(request.model())) {
                params = Params.of(request.params()).withDefaults(lease.task().info().config());
                InferenceRequest call =
                        new InferenceRequest(
                                request.model(),
                                input.file(),
                                input.imageId(),
                                params,
                                label,
                                work);
                result = call(lease, request.model(), call);
            }
            Optional<String> saved = Optional.empty();
            if (params.getBoolean("save_label", false) && input.imageId().isPresent()) {
                saved =
                        saveLabel(
                                request.model(),
                                input.imageId().get(),
                                params,
                                result,
                                Datastore.Transfer.COPY); // the file is still to be sent
            }
            return new Inference(result, saved, work);
        } catch (IOException | RuntimeException | Error e) {
            WorkFolders.delete(work);
            throw e;
        }
    }

    private static InferenceResult call(
            Lease<InferenceTask> lease, String model, InferenceRequest request) throws IOException {
        try {
            return lease.call(task -> task.infer(request));
        } catch (MonaiLabelException e) {
            throw e;
        } catch (RuntimeException
                | LinkageError e) { // a bug in app code: a 500 for this request only
            throw new InferenceFailedException("Model '" + model + "' failed: " + e, e);
        }
    }

    /**
     * Runs a model in the calling thread on a request the caller prepared (no queue, no defaults,
     * nothing saved): for programs that drive a task directly. Unknown model: {@link
     * NotFoundException}; an unexpected runtime failure of the task (not a {@link
     * MonaiLabelException}) is wrapped in an {@link InferenceFailedException}.
     */
    public InferenceResult infer(String model, InferenceRequest request) throws IOException {
        Objects.requireNonNull(request, "request");
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            return call(lease, model, request);
        }
    }

    private record Input(Path file, Optional<String> imageId) {}

    private Input input(InferRequest request, Path work) throws IOException {
        if (request.file().isPresent()) {
            Upload upload = request.file().get();
            ContentCheck.check(upload.file(), upload.clientName(), "Image");
            return new Input(keep(upload, work, "input_image"), Optional.empty());
        }
        Optional<String> imageId = request.imageId().filter(s -> !s.isEmpty());
        Optional<String> sessionId = request.sessionId().filter(s -> !s.isEmpty());
        if (sessionId.isPresent()) {
            Optional<Session> session = sessions.get(sessionId.get(), true);
            if (session.isPresent()) {
                if (Files.isDirectory(session.get().image())) {
                    throw new InvalidInputException(
                            "Session '"
                                    + sessionId.get()
                                    + "' holds several files; inference "
                                    + "needs one image file");
                }
                return new Input(session.get().image(), Optional.empty());
            }
            if (imageId.isEmpty()) {
                throw new NotFoundException("Session (" + sessionId.get() + ") Not Found");
            }
        }
        if (imageId.isPresent()) {
            if (!datastore.hasImage(imageId.get())) {
                datastore.imageInfo(imageId.get()); // malformed ids: 400
                throw new NotFoundException("Image '" + imageId.get() + "' not found");
            }
            return new Input(datastore.imageFile(imageId.get()), imageId);
        }
        throw new InvalidInputException("Neither image, file nor session_id was given");
    }

    /** Moves an upload into the work folder under a name with the client's extension. */
    private static Path keep(Upload upload, Path work, String stem) throws IOException {
        String ext = FileExtensions.extensionOf(upload.clientName());
        String base = FileExtensions.baseName(upload.clientName()).toLowerCase(Locale.ROOT);
        if (base.endsWith(".seg.nrrd")) {
            ext = ".seg.nrrd";
        }
        Path target = work.resolve(stem + ext);
        Files.move(upload.file(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /**
     * Saves an inference's result file as the image's label (tag {@code label_tag}, default
     * original).
     */
    private Optional<String> saveLabel(
            String model,
            String imageId,
            Params params,
            InferenceResult result,
            Datastore.Transfer transfer)
            throws IOException {
        if (result.file().isEmpty()) {
            return Optional.empty();
        }
        String tag = params.getString("label_tag", Datastore.ORIGINAL);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", model);
        info.put("params", result.json());
        Path file = result.file().get();
        labels.save(
                imageId,
                tag,
                file,
                file.getFileName().toString(),
                info,
                transfer,
                Actor.SERVER,
                Precondition.none());
        return Optional.of(imageId);
    }

    // ---- active learning ----

    /**
     * Asks a strategy for the next image to label, records the hand-out in the datastore ({@code
     * client_id} from the params) and returns the sample merged with the image info, as MONAI
     * Label's {@code /activelearning/{strategy}} does ({@code id}, {@code weight}, {@code name},
     * {@code ts}, ...; the HTTP layer adds {@code path}). Empty when nothing is left to label. The
     * sample is {@linkplain #prefetch prefetched} for the interactive models. An unexpected runtime
     * failure of the strategy is wrapped in an {@link AppException}.
     */
    public Map<String, Object> nextSample(String strategy, Params params) throws IOException {
        return nextSample(strategy, params, Actor.SERVER);
    }

    /**
     * {@link #nextSample(String, Params)} for a client: no image leased to another client (another
     * user, or another {@code client_id}) within the lease time ({@code --conf} {@value
     * SampleLeases#SETTING}, default 900 s; 0 turns leases off) is handed out; the client's own
     * leased image may be handed to it again, and its lease moves to the image it is handed. Empty
     * also when every image left is leased to others.
     */
    public Map<String, Object> nextSample(String strategy, Params params, Actor actor)
            throws IOException {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(actor, "actor");
        String holder = SampleLeases.holder(actor, params.getString("client_id", ""));
        Optional<Sample> sample = samplesAhead.flatMap(a -> a.take(strategy, params));
        Optional<Instant> leased = Optional.empty();
        while (leased.isEmpty()) { // ends: each turn leases, or hides one more image
            Set<String> others = leases.heldByOthers(holder);
            if (sample.isPresent() && others.contains(sample.get().imageId())) {
                sample = Optional.empty();
            }
            if (sample.isEmpty()) {
                sample = chooseSample(strategy, params, others);
            }
            if (sample.isEmpty()) {
                return Map.of();
            }
            leased = leases.acquire(holder, sample.get().imageId());
            if (leased.isEmpty()) {
                sample = Optional.empty(); // another client took it meanwhile
            }
        }
        String id = sample.get().imageId();
        datastore.recordSampleHandout(
                id, strategy, params.getString("client_id", DEFAULT_CLIENT_ID));
        audit.record(
                AuditEvent.of("sample.handed_out", actor)
                        .with("image", id)
                        .with("strategy", strategy)
                        .with("client_id", params.getString("client_id", ""))
                        .with("lease_until", leases.enabled() ? leased.get().toString() : null));
        samplesAhead.ifPresent(
                a -> {
                    a.handedOut(id);
                    a.chooseNext(strategy, params, this::chooseSample);
                });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", id);
        result.put("weight", sample.get().weight());
        datastore.imageInfo(id).forEach(result::putIfAbsent);
        prefetch(id); // the client opens it next
        return result;
    }

    private Optional<Sample> chooseSample(String strategy, Params params) throws IOException {
        return chooseSample(strategy, params, Set.of());
    }

    /** Asks the strategy, with the images in {@code hidden} not among the unlabeled ones. */
    private Optional<Sample> chooseSample(String strategy, Params params, Set<String> hidden)
            throws IOException {
        Datastore view = hidden.isEmpty() ? datastore : new WithoutImages(datastore, hidden);
        try (Lease<ActiveLearningStrategy> lease = registry.strategy(strategy)) {
            return lease.call(task -> task.next(view, params));
        } catch (MonaiLabelException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new AppException("Strategy '" + strategy + "' failed: " + e, e);
        }
    }

    /**
     * Prepares a datastore image for the interactive models in the background, so that the first
     * click on it is about as fast as a later one: called when a client is handed the image or
     * downloads it. Returns at once; does nothing for an unknown image, when no interactive model
     * is served, or with {@code --conf interactive_prefetch false}.
     *
     * @return completes with the number of interactive models that have the image prepared
     */
    public CompletableFuture<Integer> prefetch(String imageId) {
        Objects.requireNonNull(imageId, "imageId");
        return prefetcher
                .map(p -> p.prefetch(imageId))
                .orElseGet(() -> CompletableFuture.completedFuture(0));
    }

    // ---- background jobs ----

    private JobRunner job(JobKind kind) {
        return jobs.get(kind);
    }

    /** A training job queued or running: weights may not change under it. */
    private Optional<Job> trainingJob() {
        return job(JobKind.TRAIN).active();
    }

    /** The job of this kind running now, if any. */
    public Optional<Job> running(JobKind kind) {
        return job(kind).running();
    }

    /** The newest job of this kind (running, queued or ended), if any. */
    public Optional<Job> latest(JobKind kind) {
        return job(kind).latest();
    }

    /** The jobs of this kind that are kept, oldest first. */
    public List<Job> jobs(JobKind kind) {
        return job(kind).all();
    }

    /**
     * Asks the running job of this kind (else the first queued one) to stop and waits up to the
     * stop timeout for its safe point.
     *
     * @return the job asked to stop, if there was one
     */
    public Optional<Job> stop(JobKind kind) throws InterruptedException {
        return job(kind).stop(stopTimeout);
    }

    /**
     * {@link #stop(JobKind)} as {@code actor}: a job asked to stop is written to the audit log
     * ({@code train.stopped}, {@code scoring.stopped}, {@code batch_infer.stopped}).
     */
    public Optional<Job> stop(JobKind kind, Actor actor) throws InterruptedException {
        Optional<Job> stopped = stop(kind);
        stopped.ifPresent(j -> audit.record(jobEvent(kind, "stopped", j, actor)));
        return stopped;
    }

    private static AuditEvent jobEvent(JobKind kind, String what, Job job, Actor actor) {
        String prefix =
                switch (kind) {
                    case TRAIN -> "train";
                    case SCORING -> "scoring";
                    case BATCH_INFER -> "batch_infer";
                };
        return AuditEvent.of(prefix + "." + what, actor)
                .with("job", job.id())
                .with("name", job.name());
    }

    /** Writes each job queued of a submission to the audit log as started by {@code actor}. */
    private void auditStarted(JobKind kind, Map<String, Submission> submitted, Actor actor) {
        submitted
                .values()
                .forEach(
                        s ->
                                s.job()
                                        .ifPresent(
                                                j ->
                                                        audit.record(
                                                                jobEvent(
                                                                        kind, "started", j,
                                                                        actor))));
    }

    /** {@link #train(String, Map, boolean)} as {@code actor}, written to the audit log. */
    public Job train(String trainer, Map<String, Object> params, boolean enqueue, Actor actor) {
        Job job = train(trainer, params, enqueue);
        audit.record(jobEvent(JobKind.TRAIN, "started", job, actor));
        return job;
    }

    /** {@link #trainAll(Map)} as {@code actor}; each job queued is written to the audit log. */
    public Map<String, Submission> trainAll(Map<String, Object> params, Actor actor) {
        Map<String, Submission> submitted = trainAll(params);
        auditStarted(JobKind.TRAIN, submitted, actor);
        return submitted;
    }

    /** {@link #score(String, Map, boolean)} as {@code actor}, written to the audit log. */
    public Job score(String method, Map<String, Object> params, boolean enqueue, Actor actor) {
        Job job = score(method, params, enqueue);
        audit.record(jobEvent(JobKind.SCORING, "started", job, actor));
        return job;
    }

    /** {@link #scoreAll(Map)} as {@code actor}; each job queued is written to the audit log. */
    public Map<String, Submission> scoreAll(Map<String, Object> params, Actor actor) {
        Map<String, Submission> submitted = scoreAll(params);
        auditStarted(JobKind.SCORING, submitted, actor);
        return submitted;
    }

    /** {@link #batchInfer(String, BatchImages, Map, boolean)} as {@code actor}, audited. */
    public Job batchInfer(
            String model,
            BatchImages images,
            Map<String, Object> params,
            boolean enqueue,
            Actor actor) {
        Job job = batchInfer(model, images, params, enqueue);
        audit.record(jobEvent(JobKind.BATCH_INFER, "started", job, actor));
        return job;
    }

    /**
     * Trains a model in the background with the request's params over the trainer's defaults.
     *
     * @param enqueue wait behind a job in progress instead of refusing
     * @throws NotFoundException if no app has the trainer
     * @throws org.monailabel.api.error.AlreadyRunningException if a job runs and {@code enqueue} is
     *     false
     */
    public Job train(String trainer, Map<String, Object> params, boolean enqueue) {
        Map<String, Object> defaults;
        try (Lease<TrainTask> lease = registry.trainer(trainer)) {
            defaults = lease.task().info().config();
        }
        Params merged = Params.of(params).withDefaults(defaults);
        Map<String, Object> request = new LinkedHashMap<>(merged.asMap());
        request.put("model", trainer);
        // started under the weights lock: a model upload or removal is either done before the job
        // reads the weights, or sees the job running and is refused
        return models.exclusive(
                () ->
                        job(JobKind.TRAIN)
                                .submit(
                                        trainer,
                                        request,
                                        enqueue,
                                        control -> {
                                            try (Lease<TrainTask> lease =
                                                    registry.trainer(trainer)) {
                                                return lease.call(
                                                        task -> task.train(merged, control));
                                            }
                                        }));
    }

    /**
     * Queues a training job for every trainer; {@code params} holds flat params for all, or params
     * keyed by trainer name.
     */
    public Map<String, Submission> trainAll(Map<String, Object> params) {
        Map<String, Submission> submitted = new LinkedHashMap<>();
        for (String trainer : registry.names(TaskKind.TRAINER)) {
            Map<String, Object> own =
                    params.get(trainer) instanceof Map<?, ?> m ? stringKeys(m) : params;
            submitted.put(trainer, submit(() -> train(trainer, own, true)));
        }
        return submitted;
    }

    /**
     * Scores the datastore's images in the background with a scoring method.
     *
     * @throws NotFoundException if no app has the method
     */
    public Job score(String method, Map<String, Object> params, boolean enqueue) {
        registry.scoring(method).close(); // unknown method: 404
        Map<String, Object> request = new LinkedHashMap<>(params);
        request.put("method", method);
        Params p = Params.of(params);
        return job(JobKind.SCORING)
                .submit(
                        method,
                        request,
                        enqueue,
                        control -> {
                            try (Lease<ScoringMethod> lease = registry.scoring(method)) {
                                return lease.call(task -> task.score(datastore, p, control));
                            }
                        });
    }

    /** Queues a scoring job for every scoring method. */
    public Map<String, Submission> scoreAll(Map<String, Object> params) {
        Map<String, Submission> submitted = new LinkedHashMap<>();
        for (String method : registry.names(TaskKind.SCORING)) {
            submitted.put(method, submit(() -> score(method, params, true)));
        }
        return submitted;
    }

    private interface Submit {
        Job submit();
    }

    private static Submission submit(Submit submit) {
        try {
            return Submission.of(submit.submit());
        } catch (MonaiLabelException e) {
            return Submission.refused(e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        return new LinkedHashMap<>((Map<String, Object>) m);
    }

    /**
     * Runs a model on many images in the background and saves each result as a label (tag {@code
     * label_tag}, default {@code original}); each image waits for a running slot of the model, so
     * interactive requests keep their turn.
     *
     * @throws NotFoundException if no app serves the model
     */
    public Job batchInfer(
            String model, BatchImages images, Map<String, Object> params, boolean enqueue) {
        Map<String, Object> defaults;
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            defaults = lease.task().info().config();
        }
        Params merged = Params.of(params).withDefaults(defaults);
        String tag = merged.getString("label_tag", Datastore.ORIGINAL);
        Map<String, Object> request = new LinkedHashMap<>(params);
        request.put("model", model);
        request.put("images", images.wireName());
        return job(JobKind.BATCH_INFER)
                .submit(
                        model,
                        request,
                        enqueue,
                        control -> {
                            List<String> ids =
                                    switch (images) {
                                        case LABELED -> datastore.labeledImageIds(Datastore.FINAL);
                                        case UNLABELED ->
                                                datastore.unlabeledImageIds(Datastore.FINAL);
                                        case ALL -> datastore.imageIds();
                                    };
                            Map<String, Object> results = new LinkedHashMap<>();
                            int done = 0;
                            for (String id : ids) {
                                if (control.stopRequested()) {
                                    break;
                                }
                                results.put(id, inferAndSave(model, id, merged, tag));
                                done++;
                                control.progress(Map.of("done", done, "total", ids.size()));
                                control.log(
                                        "Image '"
                                                + id
                                                + "' done ("
                                                + done
                                                + "/"
                                                + ids.size()
                                                + ")");
                            }
                            return results;
                        });
    }

    private Map<String, Object> inferAndSave(String model, String id, Params params, String tag)
            throws Exception {
        Path work = WorkFolders.create(inferRoot);
        try (Admissions.Permit permit = admissions.enterWaiting(model);
                Lease<InferenceTask> lease = registry.inference(model)) {
            InferenceRequest request =
                    new InferenceRequest(
                            model,
                            datastore.imageFile(id),
                            Optional.of(id),
                            params,
                            Optional.empty(),
                            work);
            InferenceResult result = call(lease, model, request);
            saveLabel(
                    model,
                    id,
                    Params.of(Map.of("label_tag", tag)),
                    result,
                    Datastore.Transfer.MOVE);
            return result.json();
        } finally {
            WorkFolders.delete(work);
        }
    }

    // ---- sessions ----

    /**
     * Keeps uploaded files as a session ({@code PUT /session/}); each is checked against its
     * extension first.
     *
     * @param meta shown in the session's info ({@code client_id})
     * @param expirySeconds how long it lives unused; 0 for the default
     */
    public Session createSession(List<Upload> files, Map<String, Object> meta, long expirySeconds)
            throws IOException {
        List<SessionStore.Upload> uploads = new ArrayList<>();
        for (Upload file : files) {
            ContentCheck.check(file.file(), file.clientName(), "Session");
            uploads.add(new SessionStore.Upload(file.file(), file.clientName()));
        }
        return sessions.create(uploads, meta, expirySeconds);
    }

    /** {@link #createSession(List, Map, long)} as {@code actor}, written to the audit log. */
    public Session createSession(
            List<Upload> files, Map<String, Object> meta, long expirySeconds, Actor actor)
            throws IOException {
        Session session = createSession(files, meta, expirySeconds);
        audit.record(
                AuditEvent.of("session.created", actor)
                        .with("session", session.id())
                        .with("files", files.size())
                        .with("expiry", session.expirySeconds()));
        return session;
    }

    /** {@link #removeSession(String)} as {@code actor}; a removal is written to the audit log. */
    public Optional<Session> removeSession(String id, Actor actor) throws IOException {
        Optional<Session> removed = removeSession(id);
        removed.ifPresent(
                s -> audit.record(AuditEvent.of("session.removed", actor).with("session", s.id())));
        return removed;
    }

    /** A live session; {@code touch} renews its expiry. */
    public Optional<Session> session(String id, boolean touch) {
        return sessions.get(id, touch);
    }

    /** Removes a session and its files; the removed session, if there was one. */
    public Optional<Session> removeSession(String id) throws IOException {
        return sessions.remove(id);
    }

    // ---- the platform ----

    /**
     * Whether every PyTorch native library on the class path is a CPU build (no GPU will be used).
     */
    public static boolean cpuOnlyBuild() {
        return Devices.cpuBuild();
    }

    /** The folder of ground-truth labels in generated sample studies. */
    public static final String SAMPLE_GROUND_TRUTH = SampleStudies.GROUND_TRUTH;

    /** Whether {@code dir} holds a complete set of generated sample studies. */
    public static boolean hasSampleStudies(Path dir) {
        return SampleStudies.isComplete(dir);
    }

    /**
     * Writes {@code count} synthetic CT-like studies as DICOM series with DICOM SEG ground truth
     * (see {@link DicomSampleStudies}); their ids.
     */
    public static List<String> generateDicomSampleStudies(Path dir, int count, long seed)
            throws IOException {
        return DicomSampleStudies.generate(dir, count, seed);
    }

    /** Writes {@code count} synthetic CT-like studies with ground-truth labels; their ids. */
    public static List<String> generateSampleStudies(Path dir, int count, long seed)
            throws IOException {
        return SampleStudies.generate(dir, count, seed);
    }

    /**
     * Stops the jobs at a safe point, stops watching the apps folder, unloads the apps (after the
     * calls in flight) and closes the datastore if it was opened here.
     */
    @Override
    public void close() {
        housekeeping.shutdownNow();
        prefetcher.ifPresent(Prefetcher::close);
        samplesAhead.ifPresent(SamplesAhead::close);
        jobs.values().forEach(JobRunner::close);
        sessions.close();
        watcher.ifPresent(AppFolderWatcher::close);
        registry.close();
        ownedDatastore.ifPresent(Datastore::close);
        audit.close();
    }

    /** Builds a {@link MonaiLabel}. Not thread-safe. */
    public static final class Builder {
        private Datastore datastore;
        private Path studies;
        private String dicomWeb;
        private boolean watchStudies = true;
        private InferenceLimits limits = InferenceLimits.defaults();
        private Duration sessionExpiry = Duration.ofHours(1);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private int jobHistory = 100;
        private Path appsFolder;
        private final List<Path> bundles = new ArrayList<>();
        private ClassLoader classpathApps;
        private final Map<String, String> conf = new LinkedHashMap<>();
        private String device = "cpu";
        private Path workDir;
        private Path modelsDir;
        private Duration pollInterval = AppFolderWatcher.DEFAULT_INTERVAL;
        private boolean watch = true;

        private Builder() {}

        /**
         * The datastore tasks work on (this or {@link #studies} is required); the caller closes it.
         */
        public Builder datastore(Datastore datastore) {
            this.datastore = Objects.requireNonNull(datastore, "datastore");
            this.studies = null;
            return this;
        }

        /**
         * A folder of studies to open as the datastore (labels in {@code labels/<tag>/}), watched
         * for files added or removed by hand; closed with the {@link MonaiLabel}.
         */
        public Builder studies(Path folder) {
            return studies(folder, true);
        }

        /** {@link #studies(Path)}, watching the folder or not. */
        /**
         * Serves a PACS over DICOMweb ({@code http(s)://host/dicom-web}) instead of the files of
         * the {@link #studies} folder, which then keeps the converted series, their labels and info
         * ({@link DicomWebStudies} lists the {@code dicomweb_*} settings read from {@link #conf}).
         */
        public Builder dicomWeb(String url) {
            this.dicomWeb = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder studies(Path folder, boolean watch) {
            this.studies = Objects.requireNonNull(folder, "folder");
            this.watchStudies = watch;
            this.datastore = null;
            return this;
        }

        /**
         * How many requests of a model run at once and wait (default {@link
         * InferenceLimits#defaults()}); {@code --conf infer_threads} and {@code infer_queue}, when
         * given, win over it.
         */
        public Builder inferenceLimits(InferenceLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * How long an upload session lives unused when its request names no expiry (default 1 h).
         */
        public Builder sessionExpiry(Duration expiry) {
            this.sessionExpiry = Objects.requireNonNull(expiry, "expiry");
            return this;
        }

        /** How long stopping a job waits for its safe point (default 30 s). */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * A MONAI bundle (a folder with {@code configs/inference.json}, {@code
         * configs/metadata.json} and {@code models/model.ts}, or its {@code .zip}) served as a
         * model named after it, with the pre- and post-processing its configs state; {@link #build}
         * fails on a bundle it cannot serve exactly.
         */
        public Builder bundle(Path bundle) {
            bundles.add(Objects.requireNonNull(bundle, "bundle"));
            return this;
        }

        /**
         * A folder of MONAI bundles: each sub-folder with {@code configs/} and each {@code .zip} is
         * one.
         */
        public Builder bundlesFolder(Path folder) throws IOException {
            bundles.addAll(Bundles.inFolder(folder));
            return this;
        }

        /** A folder of app jars (each {@code *.jar} or sub-folder of jars is one app). */
        public Builder appsFolder(Path appsFolder) {
            this.appsFolder = Objects.requireNonNull(appsFolder, "appsFolder");
            return this;
        }

        /**
         * Whether to discover tasks on this library's own class path as an app named {@code
         * classpath}.
         */
        public Builder classpathApps(boolean enabled) {
            this.classpathApps = enabled ? MonaiLabel.class.getClassLoader() : null;
            return this;
        }

        /** Discovers tasks in {@code loader} as an app named {@code classpath}. */
        public Builder classpathApps(ClassLoader loader) {
            this.classpathApps = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * An app setting, as {@code --conf key value}; {@code models} selects models and trainers.
         */
        public Builder conf(String key, String value) {
            conf.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** All app settings at once (added to those set before). */
        public Builder conf(Map<String, String> settings) {
            settings.forEach(this::conf);
            return this;
        }

        /** The compute device: {@code cpu} (default), {@code cuda} or {@code cuda:N}. */
        public Builder device(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** The private folder for shadow copies (default: a new temporary folder). */
        public Builder workDir(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir, "workDir");
            return this;
        }

        /** The parent of each app's model folder (default: {@code <workDir>/models}). */
        public Builder modelsDir(Path modelsDir) {
            this.modelsDir = Objects.requireNonNull(modelsDir, "modelsDir");
            return this;
        }

        /** How often the apps folder is polled for dropped-in jars (default 1 s). */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Whether to watch the apps folder after start-up (default true). */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /**
         * Opens the datastore (when given a studies folder), loads the apps and, if asked, starts
         * watching the apps folder; on failure, closes what it opened.
         */
        public MonaiLabel build() throws IOException {
            if (datastore == null && studies == null) {
                throw new IllegalStateException("a datastore or a studies folder is required");
            }
            Path work = workDir != null ? workDir : Files.createTempDirectory("monailabel-");
            Files.createDirectories(work);
            Path models = modelsDir != null ? modelsDir : work.resolve("models");
            Map<String, String> settings = new LinkedHashMap<>(conf);
            AppConfig given = AppConfig.of(conf);
            InferenceLimits resolved =
                    new InferenceLimits(
                            given.getInt(InferenceLimits.THREADS, limits.threads()),
                            given.getInt(InferenceLimits.QUEUE, limits.queue()));
            settings.put(InferenceLimits.THREADS, Integer.toString(resolved.threads()));
            settings.put(InferenceLimits.QUEUE, Integer.toString(resolved.queue()));
            limits = resolved;
            Optional<Datastore> owned = Optional.empty();
            AppRegistry registry = null;
            Optional<AppFolderWatcher> watcher = Optional.empty();
            SessionStore sessions = null;
            AuditLog audit = null;
            try {
                AppConfig auditConf = AppConfig.of(conf);
                audit =
                        AuditLog.open(
                                work.resolve("audit"),
                                auditConf.getInt(
                                        AuditLog.MAX_BYTES, (int) AuditLog.DEFAULT_MAX_BYTES),
                                auditConf.getInt(AuditLog.KEEP, AuditLog.DEFAULT_KEEP));
                if (dicomWeb != null) {
                    if (studies == null) {
                        throw new IllegalStateException("a DICOMweb datastore needs a folder");
                    }
                    owned =
                            Optional.of(
                                    DicomWebStudies.open(dicomWeb, AppConfig.of(conf), studies));
                } else if (studies != null) {
                    owned = Optional.of(StudiesFolder.open(studies, watchStudies));
                }
                Datastore store = owned.orElse(datastore);
                AppEnvironment environment =
                        new AppEnvironment(AppConfig.of(settings), store, device, work, models);
                registry = new AppRegistry(environment, MonaiLabel.class.getClassLoader());
                if (classpathApps != null) {
                    registry.load(AppSource.classpath(classpathApps, work));
                }
                if (appsFolder != null) {
                    AppFolderWatcher w = new AppFolderWatcher(appsFolder, registry, pollInterval);
                    watcher = Optional.of(w);
                    w.loadAll();
                    if (watch) {
                        w.start();
                    }
                }
                if (!bundles.isEmpty() || given.get("bundles").isPresent()) {
                    List<Path> all = new ArrayList<>(bundles);
                    if (given.get("bundles").isPresent()) {
                        all.addAll(Bundles.inFolder(Path.of(given.get("bundles").get())));
                    }
                    Bundles.load(registry, all, work.resolve("bundles"));
                }
                registry.warnUnmatchedSelection();
                sessions =
                        new SessionStore(
                                work.resolve("sessions"),
                                sessionExpiry,
                                Duration.ofSeconds(Math.max(sessionExpiry.toSeconds(), 3600)));
                Path inferRoot = Files.createDirectories(work.resolve("infer"));
                WorkFolders.clean(inferRoot);
                logger.info(
                        "monailabel serving models {}, strategies {} on {}",
                        registry.names(TaskKind.MODEL),
                        registry.names(TaskKind.STRATEGY),
                        device);
                return new MonaiLabel(
                        this,
                        store,
                        owned,
                        environment,
                        registry,
                        watcher,
                        sessions,
                        inferRoot,
                        audit);
            } catch (IOException | RuntimeException e) {
                for (AutoCloseable c :
                        new AutoCloseable[] {
                            sessions, watcher.orElse(null), registry, owned.orElse(null), audit
                        }) {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (Exception suppressed) {
                            e.addSuppressed(suppressed);
                        }
                    }
                }
                throw e;
            }
        }
    }
}
