package org.monailabel.testing;

/**
 * Java sources of small app components, for {@link PluginJars}. Each method takes the fully
 * qualified class name to generate and returns the source of that class.
 */
public final class PluginSources {
    private PluginSources() {}

    /**
     * An inference task named {@code model} whose result JSON is {@code {"model": model, "tag":
     * tag}}: the tag tells versions of a jar apart.
     */
    public static String model(String className, String model, String tag) {
        return header(className)
                + """
                public final class %s implements InferenceTask {
                    public ModelInfo info() {
                        return ModelInfo.of("%s", ModelType.SEGMENTATION, Map.of("spleen", 1), "Test model %s");
                    }

                    public InferenceResult infer(InferenceRequest request) {
                        return new InferenceResult(Optional.empty(), Map.of("model", "%s", "tag", "%s"));
                    }
                }
                """
                        .formatted(simpleName(className), model, tag, model, tag);
    }

    /** A trainer named {@code name} that returns {@code {"trained": name}} at once. */
    public static String trainer(String className, String name) {
        return header(className)
                + """
                public final class %s implements TrainTask {
                    public TrainerInfo info() {
                        return new TrainerInfo("%s", "Test trainer", Map.of("max_epochs", 1), Map.of());
                    }

                    public Map<String, Object> train(Params params, JobControl control) {
                        return Map.of("trained", "%s");
                    }

                    public Map<String, Object> stats() {
                        return Map.of();
                    }
                }
                """
                        .formatted(simpleName(className), name, name);
    }

    /**
     * A strategy named {@code name} that picks the alphabetically first unlabeled image, weight 1.
     */
    public static String firstStrategy(String className, String name) {
        return header(className)
                + """
                public final class %s implements ActiveLearningStrategy {
                    public ComponentInfo info() {
                        return new ComponentInfo("%s", "Get first sample");
                    }

                    public Optional<Sample> next(Datastore datastore, Params params) {
                        return datastore.unlabeledImageIds(Datastore.FINAL).stream().findFirst()
                                .map(id -> new Sample(id, 1.0));
                    }
                }
                """
                        .formatted(simpleName(className), name);
    }

    /** A scoring method named {@code name} that scores nothing. */
    public static String scoring(String className, String name) {
        return header(className)
                + """
                public final class %s implements ScoringMethod {
                    public ComponentInfo info() {
                        return new ComponentInfo("%s", "Test scoring");
                    }

                    public Map<String, Object> score(Datastore datastore, Params params, JobControl control) {
                        return Map.of("scored", 0);
                    }
                }
                """
                        .formatted(simpleName(className), name);
    }

    /** An inference task named {@code model} whose {@code open} throws an IOException. */
    public static String failingOpen(String className, String model) {
        return header(className)
                + """
                public final class %s implements InferenceTask {
                    public ModelInfo info() {
                        return ModelInfo.of("%s", ModelType.SEGMENTATION, Map.of(), "Fails to open");
                    }

                    public void open(AppContext context) throws java.io.IOException {
                        throw new java.io.IOException("weights missing");
                    }

                    public InferenceResult infer(InferenceRequest request) {
                        throw new IllegalStateException("never opened");
                    }
                }
                """
                        .formatted(simpleName(className), model);
    }

    /** The imports every generated class uses. */
    public static String header(String className) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : "package " + className.substring(0, dot) + ";\n\n";
        return pkg
                + """
                import java.util.List;
                import java.util.Map;
                import java.util.Optional;
                import org.monailabel.api.ActiveLearningStrategy;
                import org.monailabel.api.AppContext;
                import org.monailabel.api.ComponentInfo;
                import org.monailabel.api.Datastore;
                import org.monailabel.api.InferenceRequest;
                import org.monailabel.api.InferenceResult;
                import org.monailabel.api.InferenceTask;
                import org.monailabel.api.JobControl;
                import org.monailabel.api.ModelInfo;
                import org.monailabel.api.ModelType;
                import org.monailabel.api.Params;
                import org.monailabel.api.Sample;
                import org.monailabel.api.ScoringMethod;
                import org.monailabel.api.TrainTask;
                import org.monailabel.api.TrainerInfo;

                """;
    }

    /** The class name without its package. */
    public static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
