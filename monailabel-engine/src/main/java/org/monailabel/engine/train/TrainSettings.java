package org.monailabel.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.monailabel.api.Params;

/**
 * The settings every trainer has, typed: part of a trainer kind's settings record ({@link
 * SegmentationTrainer.Settings}, {@code InteractiveTrainer.Settings}), whose built-in defaults, app
 * overrides and requests merged over them are all instances. {@link #merge} reads a request over
 * these values; {@link #putSampling}, {@link #putOptimizer} and {@link #putRun} write them as
 * {@code /info/} shows them, in that order, with the kind's own settings in between. Values a run
 * cannot use are raised to the nearest usable one: {@code val_interval}, {@code train_batch_size}
 * and {@code num_samples} to 1.
 *
 * @param maxEpochs {@code max_epochs}: epochs to train at most
 * @param valSplit {@code val_split}: the share of the studies kept for validation
 * @param valInterval {@code val_interval}: validate every this many epochs (and after the last)
 * @param batchSize {@code train_batch_size}: samples per optimizer step
 * @param numSamples {@code num_samples}: samples per study and epoch
 * @param cropSize {@code crop_size}: the edge of the cubic training crops, in voxels
 * @param learningRate {@code learning_rate}: Adam's base rate
 * @param lrSchedule {@code lr_schedule}: how the rate changes over the run; {@code /info/} lists
 *     the choices, this one first
 * @param warmupIterations {@code warmup_iterations}: updates of linear warm-up (none when
 *     fine-tuning)
 * @param maxTrainMinutes {@code max_train_minutes}: the run's time budget; 0 for none
 * @param pretrained {@code pretrained}: fine-tune the published version when there is one
 * @param seed {@code seed}: the seed of every random choice of the run
 * @param keepVersions {@code keep_versions}: published versions to keep
 * @param cacheMemoryMb {@code cache_memory_mb}: heap for pre-processed studies
 */
public record TrainSettings(
        int maxEpochs,
        double valSplit,
        int valInterval,
        int batchSize,
        int numSamples,
        int cropSize,
        double learningRate,
        LearningRateSchedule.Kind lrSchedule,
        int warmupIterations,
        double maxTrainMinutes,
        boolean pretrained,
        int seed,
        int keepVersions,
        int cacheMemoryMb) {
    public TrainSettings {
        valInterval = Math.max(1, valInterval);
        batchSize = Math.max(1, batchSize);
        numSamples = Math.max(1, numSamples);
        Objects.requireNonNull(lrSchedule, "lrSchedule");
    }

    /** A third of the heap for pre-processed studies; the rest is for batches and validation. */
    public static int defaultCacheMegabytes() {
        return (int) Math.max(64, Runtime.getRuntime().maxMemory() / 3 / (1 << 20));
    }

    /** These settings with those the request sets instead. */
    public TrainSettings merge(Params request) {
        return new TrainSettings(
                request.getInt("max_epochs", maxEpochs),
                request.getDouble("val_split", valSplit),
                request.getInt("val_interval", valInterval),
                request.getInt("train_batch_size", batchSize),
                request.getInt("num_samples", numSamples),
                request.getInt("crop_size", cropSize),
                request.getDouble("learning_rate", learningRate),
                request.has("lr_schedule")
                        ? LearningRateSchedule.Kind.parse(request.getString("lr_schedule", ""))
                        : lrSchedule,
                request.getInt("warmup_iterations", warmupIterations),
                request.getDouble("max_train_minutes", maxTrainMinutes),
                request.getBoolean("pretrained", pretrained),
                request.getInt("seed", seed),
                request.getInt("keep_versions", keepVersions),
                request.getInt("cache_memory_mb", cacheMemoryMb));
    }

    /** Writes how much is trained on what: {@code max_epochs} to {@code crop_size}. */
    public void putSampling(Map<String, Object> config) {
        config.put("max_epochs", maxEpochs);
        config.put("val_split", valSplit);
        config.put("val_interval", valInterval);
        config.put("train_batch_size", batchSize);
        config.put("num_samples", numSamples);
        config.put("crop_size", cropSize);
    }

    /**
     * Writes the optimizer's settings and the time budget: {@code learning_rate} to {@code
     * max_train_minutes}.
     */
    public void putOptimizer(Map<String, Object> config) {
        config.put("learning_rate", learningRate);
        List<String> schedules = new ArrayList<>(List.of(name(lrSchedule)));
        for (LearningRateSchedule.Kind k : LearningRateSchedule.Kind.values()) {
            if (k != lrSchedule) {
                schedules.add(name(k));
            }
        }
        config.put("lr_schedule", List.copyOf(schedules));
        config.put("warmup_iterations", warmupIterations);
        config.put("max_train_minutes", wholeAsInteger(maxTrainMinutes));
    }

    /**
     * Writes where the run starts and what it keeps: {@code pretrained} to {@code cache_memory_mb}.
     */
    public void putRun(Map<String, Object> config) {
        config.put("pretrained", pretrained);
        config.put("seed", seed);
        config.put("keep_versions", keepVersions);
        config.put("cache_memory_mb", cacheMemoryMb);
    }

    /**
     * A whole number as an {@code Integer} (no budget shows as {@code 0}, not {@code 0.0}), others
     * as they are.
     */
    private static Object wholeAsInteger(double value) {
        return value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE
                ? (Object) (int) value
                : value;
    }

    private static String name(LearningRateSchedule.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * An app's overrides of a trainer's defaults as request parameters (a list stands for its first
     * element, as in a request merged over {@code /info/}).
     *
     * @param known the keys the trainer has
     * @throws IllegalStateException for a key the trainer does not have
     */
    public static Params overrides(String trainer, Map<String, ?> values, Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalStateException(
                        "Trainer '" + trainer + "': unknown config key '" + key + "'");
            }
        }
        return Params.empty().withDefaults(values);
    }
}
