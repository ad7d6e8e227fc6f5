package org.monailabel.engine.train;

import java.nio.file.Path;
import org.monailabel.api.AppContext;
import org.monailabel.api.ModelStore;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;

/**
 * Where a trainer's files are: the store of the model it trains (its folder holds the published
 * card and weights, the kept versions, the stats file and the log), and the folder of its
 * pre-processed studies. {@link #of} is the one place that says where those are; everything else a
 * trainer reads or writes goes through the methods here.
 *
 * @param store the model's store, shared with the task of the same name that serves it
 * @param cacheFolder the disk cache of the studies as pre-processed for training
 */
record TrainerFiles(ModelStore store, Path cacheFolder) {
    /** The stats file beside the published model. */
    static final String STATS_FILE = "train_stats.json";

    /** The human-readable log of the training runs, beside the published model. */
    static final String LOG_FILE = "train.log";

    private static final String CACHE_FOLDER = ".train-cache";

    /** The files of the trainer of model {@code name} in an app: the app's store of that model. */
    static TrainerFiles of(AppContext context, String name) {
        return new TrainerFiles(
                context.modelStore(name), context.modelDir().resolve(CACHE_FOLDER).resolve(name));
    }

    /** The model's folder ({@code <modelDir>/<name>}). */
    Path modelFolder() {
        return store.folder();
    }

    /** The card of the published version. */
    Path publishedCard() {
        return modelFolder().resolve(ModelCard.FILE_NAME);
    }

    /** The published weights a card names. */
    Path weights(ModelCard card) {
        return modelFolder().resolve(card.weights());
    }

    Path statsFile() {
        return modelFolder().resolve(STATS_FILE);
    }

    Path logFile() {
        return modelFolder().resolve(LOG_FILE);
    }

    /**
     * The published versions, keeping the newest {@code keep} when publishing; a publish is
     * announced to the store, so the task serving the model swaps to it.
     */
    ModelVersions versions(int keep) {
        return new ModelVersions(store, keep);
    }
}
