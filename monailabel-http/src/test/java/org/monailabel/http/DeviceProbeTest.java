package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.util.cuda.CudaUtils;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.monailabel.engine.djl.Devices;
import org.slf4j.LoggerFactory;

/**
 * The CPU build says nothing about GPUs it cannot use: DJL's CUDA probe warned twice at every start
 * on a machine with a CUDA runtime but no driver (as the project's CI machines are).
 */
class DeviceProbeTest {
    @Test
    void theCpuBuildResolvesDevicesWithoutCudaWarningsUnderTheServersLogConfig() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        URL server = MonaiLabelServer.class.getResource("/logback.xml");
        URL test = DeviceProbeTest.class.getResource("/logback-test.xml");
        configure(context, server);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        try {
            assertThat(Devices.cpuBuild()).isTrue();
            assertThat(Devices.resolve("auto").isGpu()).isFalse();
            assertThat(Devices.gpuCount()).isZero();
            CudaUtils.getGpuCount(); // what DJL runs whenever it loads PyTorch (not cached)
            LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").warn("Other CUDA news");
        } finally {
            root.detachAppender(events);
            configure(context, test);
        }
        assertThat(events.list)
                .filteredOn(e -> e.getLoggerName().startsWith("ai.djl.util.cuda"))
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("Other CUDA news");
    }

    private static void configure(LoggerContext context, URL config) throws Exception {
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
    }
}
