package org.monailabel.engine.model.bundle;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.train.SegmentationTrainer;
import org.monailabel.engine.train.StudyPreprocessing;

/**
 * Fine-tunes a served bundle ({@code POST /train/{bundle}}): the trainer of the same name as the
 * {@link BundleTask}, so it trains the version the task serves (its TorchScript, loaded with
 * trainable parameters) on the datastore's {@code final} labels and publishes the best as a new
 * version of the same store, as TorchScript again, which the task then serves. Every study is
 * pre-processed exactly as the bundle's inference chain prepares an image ({@link
 * BundlePipeline#prepare}: orientation, spacing, intensity steps, {@code CropForegroundd}), its
 * label resampled with nearest neighbours onto the same network grid; the cached studies are keyed
 * by that chain, so a changed config never reuses them. Validation runs the bundle's sliding window
 * on that grid. The labels are the bundle's (background 0 and its metadata's {@code channel_def}).
 * A TorchScript network is fine-tuned, never trained from scratch ({@code pretrained=false} is
 * refused), and a module without parameters (frozen) is refused.
 *
 * <p>The defaults suit fine-tuning: {@value #MAX_EPOCHS} epochs, a learning rate of {@value
 * #LEARNING_RATE}, validation after every epoch, crops the size of the bundle's smallest window
 * edge; a request's {@code max_epochs}, {@code learning_rate}, {@code crop_size} and the rest still
 * apply.
 */
public final class BundleTrainer extends SegmentationTrainer {
    /** The default {@code max_epochs}. */
    public static final int MAX_EPOCHS = 10;

    /** The default {@code learning_rate}. */
    public static final double LEARNING_RATE = 1e-4;

    private final StudyPreprocessing preprocessing;

    /** The trainer of the model {@code task} serves. */
    public BundleTrainer(BundleTask task) {
        this(task.spec(), task.firstCard(), new Preprocessing(task.spec()));
    }

    private BundleTrainer(BundleSpec spec, ModelCard card, Preprocessing preprocessing) {
        super(
                spec.name(),
                "Fine-tunes bundle '"
                        + spec.name()
                        + "' (its TorchScript, its pre-processing) on the final labels",
                card,
                defaults(spec),
                preprocessing);
        this.preprocessing = preprocessing;
    }

    private static Map<String, Object> defaults(BundleSpec spec) {
        int crop = Arrays.stream(spec.inferer().roiSize()).min().orElseThrow();
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("max_epochs", MAX_EPOCHS);
        defaults.put("val_interval", 1);
        defaults.put("crop_size", crop);
        defaults.put("learning_rate", LEARNING_RATE);
        return defaults;
    }

    /** How this trainer pre-processes a study: the bundle's chain. */
    StudyPreprocessing preprocessing() {
        return preprocessing;
    }

    /** The bundle's pre-processing as a trainer's: {@link BundlePipeline#prepare}. */
    static final class Preprocessing implements StudyPreprocessing {
        private final BundleSpec spec;
        private final Map<String, Integer> labels;
        private final String chain;

        Preprocessing(BundleSpec spec) {
            this.spec = spec;
            this.labels = BundleTask.modelLabels(spec);
            this.chain = describe(spec.pre());
        }

        @Override
        public OnGrid prepare(Volume image, ModelCard card) {
            BundlePipeline.Prepared prepared = BundlePipeline.prepare(image, spec);
            return new OnGrid(prepared.input().data(), prepared.grid());
        }

        @Override
        public Map<String, Integer> labels(ModelCard card) {
            return labels;
        }

        @Override
        public Map<String, Object> cacheKey(ModelCard card) {
            Map<String, Object> parts = new LinkedHashMap<>();
            parts.put("labels", new TreeMap<>(labels).toString());
            parts.put("bundle_preprocessing", chain);
            return parts;
        }

        /** The chain, each step with every setting (arrays by value): stable across runs. */
        static String describe(List<BundleStep> steps) {
            StringBuilder s = new StringBuilder();
            for (BundleStep step : steps) {
                s.append(step.transform()).append('(');
                RecordComponent[] components = step.getClass().getRecordComponents();
                for (int i = 0; i < components.length; i++) {
                    s.append(i == 0 ? "" : ", ").append(components[i].getName()).append('=');
                    s.append(value(step, components[i]));
                }
                s.append(") ");
            }
            return s.toString().strip();
        }

        private static String value(BundleStep step, RecordComponent component) {
            Object v;
            try {
                v = component.getAccessor().invoke(step);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (v instanceof double[] d) {
                return Arrays.toString(d);
            }
            if (v instanceof int[] n) {
                return Arrays.toString(n);
            }
            return String.valueOf(v);
        }
    }
}
