package org.monailabel.engine.segmentation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-stage wall-clock times of one request, reported in seconds as MONAI Label does. Not
 * thread-safe.
 */
public final class Latencies {
    private final long start = System.nanoTime();
    private long last = start;
    private final Map<String, Double> stages = new LinkedHashMap<>();

    /** Ends a stage: the time since the previous mark is attributed to it. */
    public void mark(String stage) {
        long now = System.nanoTime();
        stages.merge(stage, (now - last) / 1e9, Double::sum);
        last = now;
    }

    /** The stages so far plus {@code total}, rounded to the millisecond. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String s : new String[] {"pre", "infer", "invert", "post", "write"}) {
            m.put(s, round(stages.getOrDefault(s, 0.0)));
        }
        stages.forEach((k, v) -> m.putIfAbsent(k, round(v)));
        m.put("total", round((System.nanoTime() - start) / 1e9));
        m.put("transform", Map.of());
        return m;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
