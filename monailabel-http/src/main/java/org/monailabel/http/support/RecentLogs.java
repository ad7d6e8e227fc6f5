package org.monailabel.http.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A logback appender keeping the newest log lines in memory for {@code GET /logs/} (configured in
 * {@code logback.xml}). Thread-safe.
 */
public final class RecentLogs extends AppenderBase<ILoggingEvent> {
    private static final int CAPACITY = 10_000;
    private static final Deque<String> lines = new ArrayDeque<>();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Override
    protected void append(ILoggingEvent event) {
        String line =
                TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))
                        + " ["
                        + event.getThreadName()
                        + "] "
                        + event.getLevel()
                        + " "
                        + event.getLoggerName()
                        + " - "
                        + event.getFormattedMessage();
        List<String> all = new ArrayList<>();
        all.add(line);
        if (event.getThrowableProxy() != null) {
            all.addAll(List.of(ThrowableProxyUtil.asString(event.getThrowableProxy()).split("\n")));
        }
        synchronized (lines) {
            for (String l : all) {
                lines.addLast(l);
                if (lines.size() > CAPACITY) {
                    lines.removeFirst();
                }
            }
        }
    }

    /** The newest {@code n} lines, oldest first. */
    public static List<String> last(int n) {
        synchronized (lines) {
            List<String> all = new ArrayList<>(lines);
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        }
    }
}
