package org.monailabel.http.handler;

import java.nio.file.Path;
import java.util.Objects;
import org.monailabel.api.Datastore;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.jobs.JobRunner;
import org.monailabel.engine.session.SessionStore;
import org.monailabel.http.support.Forms;
import org.monailabel.http.support.InferenceGate;

/**
 * What the handlers work with, built once by the server.
 *
 * @param monaiLabel the loaded apps
 * @param datastore the datastore
 * @param forms the form parser (upload limit, spool folder)
 * @param sessions the session store
 * @param training the training job slot
 * @param scoring the scoring job slot
 * @param batch the batch inference job slot
 * @param gate the per-model inference queues
 * @param workDir the server's private folder (inference outputs under {@code infer/})
 * @param modelsDir where apps keep their models
 * @param version the server's version
 * @param stopTimeoutSeconds how long a stop waits for a job's safe point
 */
public record Services(
        MonaiLabel monaiLabel,
        Datastore datastore,
        Forms forms,
        SessionStore sessions,
        JobRunner training,
        JobRunner scoring,
        JobRunner batch,
        InferenceGate gate,
        Path workDir,
        Path modelsDir,
        String version,
        long stopTimeoutSeconds) {
    public Services {
        Objects.requireNonNull(monaiLabel, "monaiLabel");
        Objects.requireNonNull(datastore, "datastore");
        Objects.requireNonNull(forms, "forms");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(scoring, "scoring");
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(version, "version");
    }
}
