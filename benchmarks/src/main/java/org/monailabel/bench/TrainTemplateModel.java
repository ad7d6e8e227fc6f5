package org.monailabel.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.JobControl;
import org.monailabel.api.Params;
import org.monailabel.apps.template.SegmentationTraining;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.SampleStudies;

/**
 * Trains the weights the template app bundles ({@code monailabel-app-template/src/main/resources/
 * models/segmentation/}) with the app's own trainer, from scratch, on generated phantom studies
 * whose ground truth is saved as the final labels, and copies the best published version there.
 *
 * <pre>benchmarks/run TrainTemplateModel [studies=24] [minutes=12] [seed=7]</pre>
 */
public final class TrainTemplateModel {
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        double minutes = args.length > 1 ? Double.parseDouble(args[1]) : 12;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 7;
        Path dir = Files.createTempDirectory("template-model");
        Path studies = dir.resolve("studies");
        long start = System.nanoTime();
        List<String> ids = SampleStudies.generate(studies, count, seed);
        try (LocalDatastore datastore =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false))) {
            List<Map<String, Object>> labelInfo = new ArrayList<>();
            PhantomGenerator.LABELS.forEach(
                    (name, idx) -> labelInfo.add(Map.of("name", name, "idx", idx)));
            for (String id :
                    ids) { // the ground truth saved as a radiologist's final label, as Slicer saves
                // it
                Path truth = studies.resolve("ground_truth").resolve(id + ".nii.gz");
                datastore.saveLabel(
                        id,
                        Datastore.FINAL,
                        truth,
                        truth.getFileName().toString(),
                        Map.of("label_info", labelInfo));
            }
            SegmentationTraining trainer = new SegmentationTraining();
            Path models = dir.resolve("models");
            trainer.open(
                    new AppContext("template", dir, models, AppConfig.empty(), datastore, "cpu"));
            JobControl control =
                    new JobControl() {
                        @Override
                        public boolean stopRequested() {
                            return false;
                        }

                        @Override
                        public void log(String line) {
                            System.out.printf(
                                    "[%6.1f s] %s%n", (System.nanoTime() - start) / 1e9, line);
                        }

                        @Override
                        public void progress(Map<String, Object> stats) {}
                    };
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("pretrained", false);
            params.put("max_epochs", 10_000);
            params.put("max_train_minutes", minutes);
            params.put("crop_size", 64);
            params.put("train_batch_size", 4);
            params.put("num_samples", 4);
            params.put("learning_rate", 2e-3);
            params.put("val_split", 0.2);
            params.put("val_interval", 4);
            params.put("seed", (int) seed);
            Map<String, Object> result = trainer.train(Params.of(params), control);
            System.out.printf(
                    "best validation Dice %.4f at epoch %s%n",
                    (double) result.get("best_metric"), result.get("best_metric_epoch"));

            Path published = models.resolve("segmentation");
            ModelCard card = ModelCard.read(published.resolve(ModelCard.FILE_NAME));
            Path target = Path.of("monailabel-app-template/src/main/resources/models/segmentation");
            Files.createDirectories(target);
            Files.copy(
                    published.resolve(card.weights()),
                    target.resolve(card.weights()),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(
                    published.resolve(ModelCard.FILE_NAME),
                    target.resolve(ModelCard.FILE_NAME),
                    StandardCopyOption.REPLACE_EXISTING);
            System.out.println("Bundled v" + card.version() + " into " + target.toAbsolutePath());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
