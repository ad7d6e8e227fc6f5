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
import org.monailabel.api.TrainTask;
import org.monailabel.apps.template.DeepEditTraining;
import org.monailabel.apps.template.DeepgrowTraining;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.SampleStudies;

/**
 * Trains the interactive weights the template app bundles ({@code monailabel-app-template/src/main/
 * resources/models/<name>/}) with the app's own trainers (simulated clicks), from scratch, on
 * generated phantom studies whose ground truth is saved as the final labels, and copies the best
 * published version there.
 *
 * <pre>
 * benchmarks/run TrainInteractiveModels deepgrow_3d|deepedit [studies=24] [minutes=20] [seed=11] [resume=false] [lr]
 * </pre>
 *
 * With {@code resume=true} the weights bundled now are installed first and fine-tuned (training
 * continued in a second session, the simulated-click schedule unchanged).
 */
public final class TrainInteractiveModels {
    public static void main(String[] args) throws Exception {
        String model = args.length > 0 ? args[0] : "deepgrow_3d";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        double minutes = args.length > 2 ? Double.parseDouble(args[2]) : 20;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 11;
        boolean resume = args.length > 4 && Boolean.parseBoolean(args[4]);
        Double lr = args.length > 5 ? Double.valueOf(args[5]) : null;
        TrainTask trainer =
                switch (model) {
                    case "deepgrow_3d" -> new DeepgrowTraining();
                    case "deepedit" -> new DeepEditTraining();
                    default ->
                            throw new IllegalArgumentException(
                                    "Model must be deepgrow_3d or deepedit, got " + model);
                };
        Path dir = Files.createTempDirectory("interactive-model");
        Path studies = dir.resolve("studies");
        long start = System.nanoTime();
        List<String> ids = SampleStudies.generate(studies, count, seed);
        try (LocalDatastore datastore =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false))) {
            List<Map<String, Object>> labelInfo = new ArrayList<>();
            PhantomGenerator.LABELS.forEach(
                    (name, idx) -> labelInfo.add(Map.of("name", name, "idx", idx)));
            for (String id : ids) {
                Path truth = studies.resolve("ground_truth").resolve(id + ".nii.gz");
                datastore.saveLabel(
                        id,
                        Datastore.FINAL,
                        truth,
                        truth.getFileName().toString(),
                        Map.of("label_info", labelInfo));
            }
            Path models = dir.resolve("models");
            Path bundled = Path.of("monailabel-app-template/src/main/resources/models/" + model);
            if (resume) {
                ModelCard card = ModelCard.read(bundled.resolve(ModelCard.FILE_NAME));
                try (var weights = Files.newInputStream(bundled.resolve(card.weights()))) {
                    new ModelVersions(models.resolve(model), 5).publish(card, weights);
                }
                System.out.println("Resuming from the bundled v" + card.version());
            }
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
            params.put("pretrained", resume);
            if (lr != null) {
                params.put("learning_rate", lr);
            }
            params.put("max_epochs", 10_000);
            params.put("max_train_minutes", minutes);
            params.put("val_split", 0.2);
            params.put("seed", (int) seed);
            Map<String, Object> result = trainer.train(Params.of(params), control);
            System.out.printf(
                    "best validation metric %.4f at epoch %s%n",
                    (double) result.get("best_metric"), result.get("best_metric_epoch"));

            Path published = models.resolve(model);
            ModelCard card = ModelCard.read(published.resolve(ModelCard.FILE_NAME));
            Path target = Path.of("monailabel-app-template/src/main/resources/models/" + model);
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
