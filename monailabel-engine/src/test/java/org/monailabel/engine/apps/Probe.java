package org.monailabel.engine.apps;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.monailabel.testing.PluginSources;

/**
 * Shared between tests and the app code they compile: apps see the host's {@code
 * org.monailabel.engine.} classes, so both sides use these same statics. Reset before each test.
 */
public final class Probe {
    private static final Queue<String> EVENTS = new ConcurrentLinkedQueue<>();

    /** Counted down by a blocking task once it is inside {@code infer}. */
    public static volatile CountDownLatch entered = new CountDownLatch(1);

    /** Awaited by a blocking task before it returns. */
    public static volatile CountDownLatch release = new CountDownLatch(1);

    private Probe() {}

    public static void reset() {
        EVENTS.clear();
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    /** Called from app code. */
    public static void event(String event) {
        EVENTS.add(event);
    }

    public static List<String> events() {
        return List.copyOf(EVENTS);
    }

    /**
     * The source of an inference task that records open/infer/close and, with param block=true,
     * blocks.
     */
    public static String blockingModel(String className, String model, String tag) {
        return PluginSources.header(className)
                + """
                import org.monailabel.engine.apps.Probe;

                public final class %1$s implements InferenceTask {
                    public ModelInfo info() {
                        return ModelInfo.of("%2$s", ModelType.SEGMENTATION, Map.of(), "Blocks on request");
                    }

                    public void open(AppContext context) {
                        Probe.event("open %3$s");
                    }

                    public InferenceResult infer(InferenceRequest request) {
                        if (request.params().getBoolean("block", false)) {
                            Probe.event("infer-start %3$s");
                            Probe.entered.countDown();
                            try {
                                Probe.release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            Probe.event("infer-end %3$s");
                        }
                        return new InferenceResult(Optional.empty(), Map.of("tag", "%3$s"));
                    }

                    public void close() {
                        Probe.event("close %3$s");
                    }
                }
                """
                        .formatted(PluginSources.simpleName(className), model, tag);
    }
}
