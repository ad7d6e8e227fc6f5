package org.monailabel.engine.train;

import java.nio.file.Path;
import java.util.Map;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Params;
import org.monailabel.engine.datastore.LocalDatastore;

/**
 * Child-process main for {@link TrainerCrashTest}: fine-tunes the tiny spleen model from whatever
 * is published, publishing a version after nearly every epoch, until it is killed.
 */
public final class TrainerCrashWorkerMain {
    private TrainerCrashWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        try (LocalDatastore datastore =
                LocalDatastore.open(
                        dir.resolve("studies"),
                        LocalDatastore.Options.defaults().withWatch(false))) {
            SegmentationTrainerTest.SpleenTrainer trainer =
                    new SegmentationTrainerTest.SpleenTrainer();
            trainer.open(
                    new AppContext(
                            "test",
                            dir,
                            dir.resolve("models"),
                            AppConfig.empty(),
                            datastore,
                            "cpu"));
            System.out.println("ready");
            System.out.flush();
            // a rising learning rate keeps validation Dice changing, so new versions keep coming
            trainer.train(
                    Params.of(
                            Map.of(
                                    "max_epochs",
                                    1000,
                                    "crop_size",
                                    32,
                                    "learning_rate",
                                    3e-3,
                                    "val_split",
                                    0.34,
                                    "train_batch_size",
                                    2,
                                    "num_samples",
                                    1,
                                    "keep_versions",
                                    2,
                                    "lr_schedule",
                                    "constant")),
                    new SegmentationTrainerTest.Control());
        }
    }
}
