package org.monailabel.http.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.monailabel.engine.MonaiLabel;
import org.slf4j.Marker;

/**
 * Drops DJL's "Failed to detect GPU count" warnings when the PyTorch on the class path is the CPU
 * build. DJL 0.36 asks the CUDA runtime for GPUs whenever it loads PyTorch (in {@code
 * Platform.fromSystem}, with no setting to skip it), and on a machine that has a CUDA runtime but
 * no driver it warns twice at every start, about a GPU the CPU build could not use anyway. With a
 * CUDA build every warning passes; so do all of DJL's other messages.
 */
public final class CpuBuildCudaProbeFilter extends TurboFilter {
    private static final String PROBE_LOGGER = "ai.djl.util.cuda.CudaUtils";
    private static final String PROBE_MESSAGE = "Failed to detect GPU count";

    private volatile Boolean cpuBuild;

    @Override
    public FilterReply decide(
            Marker marker,
            Logger logger,
            Level level,
            String format,
            Object[] params,
            Throwable t) {
        if (format == null
                || level != Level.WARN
                || !PROBE_LOGGER.equals(logger.getName())
                || !format.startsWith(PROBE_MESSAGE)) {
            return FilterReply.NEUTRAL;
        }
        Boolean cpu = cpuBuild;
        if (cpu == null) {
            cpu = MonaiLabel.cpuOnlyBuild();
            cpuBuild = cpu;
        }
        return cpu ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
