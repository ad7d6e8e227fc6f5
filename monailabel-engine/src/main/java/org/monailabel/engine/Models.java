package org.monailabel.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.monailabel.api.InferenceTask;
import org.monailabel.api.ModelStore;
import org.monailabel.api.TrainTask;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.apps.AppEnvironment;
import org.monailabel.engine.apps.AppRegistry;
import org.monailabel.engine.apps.Lease;
import org.monailabel.engine.apps.TaskKind;
import org.monailabel.engine.jobs.Job;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.model.ServesModel;
import org.monailabel.engine.model.bundle.BundleSpec;
import org.monailabel.engine.model.bundle.BundleTask;
import org.monailabel.engine.model.bundle.UploadedWeights;

/**
 * The published weights of the served models ({@code /model/{model}}, docs/rest-api.md §10), as
 * {@link MonaiLabel#models()} gives them: each model's {@link ModelStore} is the one its serving
 * task reads (so {@code deepgrow_2d} shows {@code deepgrow_3d}'s weights, which it serves), and
 * every change goes through it, so the task swaps at once. Uploads, rollbacks and removals are
 * refused while a training job runs (its publish would race with theirs), and are serialized.
 * Thread-safe.
 */
public final class Models {
    private static final DateTimeFormatter DELETED_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");

    private final AppRegistry registry;
    private final AppEnvironment environment;
    private final Supplier<Optional<Job>> training;
    private final AuditLog audit;
    private final Object publishing = new Object(); // one upload, rollback or removal at a time

    Models(
            AppRegistry registry,
            AppEnvironment environment,
            Supplier<Optional<Job>> training,
            AuditLog audit) {
        this.registry = registry;
        this.environment = environment;
        this.training = training;
        this.audit = audit;
    }

    /**
     * The store a model is served from: the serving task's, else the folder named after the model
     * in its app's model folder.
     *
     * @throws NotFoundException if no app serves the model
     */
    public ModelStore store(String model) {
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            if (lease.task() instanceof ServesModel serving && serving.servedStore().isPresent()) {
                return serving.servedStore().get();
            }
            try {
                return environment.modelStores(lease.appName()).of(model);
            } catch (IllegalArgumentException e) {
                throw notFound(model);
            }
        }
    }

    private static NotFoundException notFound(String model) {
        return new NotFoundException("Model File NOT Found for " + model);
    }

    /**
     * The current weights file.
     *
     * @throws NotFoundException unknown model, or no version published
     */
    public Path weights(String model) throws IOException {
        Path card = store(model).folder().resolve(ModelCard.FILE_NAME);
        if (!Files.isRegularFile(card)) {
            throw notFound(model);
        }
        Path weights = card.resolveSibling(ModelCard.read(card).weights());
        if (!Files.isRegularFile(weights)) {
            throw notFound(model);
        }
        return weights;
    }

    /**
     * The current weights' checksum and time, with the training statistics of the trainer of the
     * same name.
     */
    public WeightsInfo describe(String model) throws IOException {
        Path weights = weights(model);
        Map<String, Object> stats = Map.of();
        if (registry.names(TaskKind.TRAINER).contains(model)) {
            try (Lease<TrainTask> lease = registry.trainer(model)) {
                Map<String, Object> s = lease.call(TrainTask::stats);
                stats = s == null ? Map.of() : s;
            } catch (MonaiLabelException e) {
                // unloaded meanwhile: no stats
            }
        }
        return info(weights, stats);
    }

    private static WeightsInfo info(Path weights, Map<String, Object> stats) throws IOException {
        return new WeightsInfo(
                Checksums.hex(weights, "SHA-256"),
                Files.getLastModifiedTime(weights).toInstant().getEpochSecond(),
                stats);
    }

    /** The kept versions, oldest first. */
    public List<Integer> versions(String model) throws IOException {
        return new ModelVersions(store(model), Integer.MAX_VALUE).list();
    }

    /**
     * The kept versions of a model with what is known of each (see {@link ModelVersions#describe}),
     * oldest first, under {@code versions}, and the one served under {@code current} (null when
     * none is).
     */
    public Map<String, Object> versionHistory(String model) throws IOException {
        ModelVersions versions = new ModelVersions(store(model), Integer.MAX_VALUE);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", model);
        json.put("current", versions.current().map(Integer::longValue).orElse(null));
        json.put("versions", versions.describe());
        return json;
    }

    /** The version being served, if any. */
    public Optional<Integer> currentVersion(String model) throws IOException {
        return new ModelVersions(store(model), Integer.MAX_VALUE).current();
    }

    /**
     * Publishes uploaded weights as a new version (one more than any kept) with the current card,
     * or after a {@link #remove} the newest kept version's card, if they load with it; otherwise
     * nothing changes.
     *
     * @param fileName the client's name of the file (recorded in the card's provenance)
     * @return the new weights' checksum and time (no training statistics)
     * @throws InvalidInputException if the weights do not load with the card
     * @throws NotFoundException if the model has no card to publish with
     * @throws ConflictException while a training job runs
     */
    public WeightsInfo upload(String model, Path weights, String fileName) throws IOException {
        return upload(model, weights, fileName, Actor.SERVER);
    }

    /** {@link #upload(String, Path, String)}, as {@code actor}, written to the audit log. */
    public WeightsInfo upload(String model, Path weights, String fileName, Actor actor)
            throws IOException {
        WeightsInfo info = publish(model, weights, fileName);
        audit.record(
                AuditEvent.of("model.uploaded", actor)
                        .with("model", model)
                        .with("sha256", info.sha256()));
        return info;
    }

    private WeightsInfo publish(String model, Path weights, String fileName) throws IOException {
        ModelStore store = store(model);
        synchronized (publishing) {
            refuseWhileTraining(model);
            ModelVersions versions =
                    new ModelVersions(store, Integer.MAX_VALUE); // the trainer prunes
            ModelCard base = versions.latestCard().orElseThrow(() -> notFound(model));
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("source", "upload");
            provenance.put("uploaded_at", Instant.now().toString());
            provenance.put("file_name", baseName(fileName));
            provenance.put("card_of_version", base.version());
            UploadedWeights.Kind kind = UploadedWeights.kindOf(weights);
            provenance.put("kind", kind.name().toLowerCase(Locale.ROOT));
            ModelCard card = base.withVersion(versions.nextVersion(), provenance);
            Path file = weights;
            if (kind == UploadedWeights.Kind.BUNDLE) {
                file =
                        UploadedWeights.bundleNetwork(
                                weights,
                                servedBundle(model),
                                model,
                                weights.resolveSibling(weights.getFileName() + ".model.ts"));
            }
            if (kind != UploadedWeights.Kind.WEIGHTS) {
                card = card.withTorchScript(card.provenance());
            }
            try (InputStream in = Files.newInputStream(file)) {
                versions.publishVerified(card, in);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(
                        "Uploaded weights do not load with model '"
                                + model
                                + "' (nothing changed): "
                                + e.getMessage(),
                        e);
            } finally {
                if (!file.equals(weights)) {
                    Files.deleteIfExists(file);
                }
            }
            return info(weights(model), Map.of());
        }
    }

    /** What the served bundle's configs say, when the model is a bundle. */
    private Optional<BundleSpec> servedBundle(String model) {
        try (Lease<InferenceTask> lease = registry.inference(model)) {
            return lease.task() instanceof BundleTask bundle
                    ? Optional.of(bundle.spec())
                    : Optional.empty();
        }
    }

    /**
     * Serves a kept version again.
     *
     * @throws NotFoundException if the version is not kept
     * @throws ConflictException while a training job runs
     */
    public void rollback(String model, int version) throws IOException {
        rollback(model, version, Actor.SERVER);
    }

    /** {@link #rollback(String, int)}, as {@code actor}, written to the audit log. */
    public void rollback(String model, int version, Actor actor) throws IOException {
        restore(model, version);
        audit.record(
                AuditEvent.of("model.rolled_back", actor)
                        .with("model", model)
                        .with("version", version));
    }

    private void restore(String model, int version) throws IOException {
        ModelStore store = store(model);
        synchronized (publishing) {
            refuseWhileTraining(model);
            new ModelVersions(store, Integer.MAX_VALUE).rollback(version);
        }
    }

    /**
     * Stops serving the current version: its card and weights are renamed to {@code
     * <file>.<YYYYmmdd_HHMMSS>.deleted}; the kept versions stay, so an upload or rollback brings
     * one back.
     *
     * @throws NotFoundException if no version is served
     * @throws ConflictException while a training job runs
     */
    public void remove(String model) throws IOException {
        remove(model, Actor.SERVER);
    }

    /** {@link #remove(String)}, as {@code actor}, written to the audit log. */
    public void remove(String model, Actor actor) throws IOException {
        unpublish(model);
        audit.record(AuditEvent.of("model.deleted", actor).with("model", model));
    }

    private void unpublish(String model) throws IOException {
        ModelStore store = store(model);
        synchronized (publishing) {
            refuseWhileTraining(model);
            String suffix = "." + DELETED_STAMP.format(LocalDateTime.now()) + ".deleted";
            if (!new ModelVersions(store, Integer.MAX_VALUE).unpublish(suffix)) {
                throw notFound(model);
            }
        }
    }

    /**
     * Runs {@code action} while no upload, rollback or removal of weights runs, and none starts:
     * how a training job is started, so that a weights change either happens before the job reads
     * the weights or is refused because the job runs.
     */
    <T> T exclusive(java.util.function.Supplier<T> action) {
        synchronized (publishing) {
            return action.get();
        }
    }

    private void refuseWhileTraining(String model) {
        training.get()
                .ifPresent(
                        job -> {
                            throw new ConflictException(
                                    "Training '"
                                            + job.name()
                                            + "' is running: stop it before changing the weights of"
                                            + " '"
                                            + model
                                            + "'");
                        });
    }

    /** The last segment of a client's file name (browsers may send a full client path). */
    private static String baseName(String clientName) {
        String name = clientName.replace('\\', '/');
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
