package org.monailabel.http.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The server's log in its work dir, {@code <workDir>/logs/server.log}, rotated at {@value #MAX_MB}
 * MB into {@code server.1.log} ... {@code server.}{@value #KEEP}{@code .log}, so that {@code
 * /logs/} shows lines from before a restart. Attached to the root logger while the server runs
 * (when logback is the SLF4J binding; otherwise nothing is written and {@link #lines} reads what an
 * earlier run left).
 */
public final class ServerLogFile implements AutoCloseable {
    /** The size at which the file is rotated, in MB. */
    public static final int MAX_MB = 20;

    /** The rotated files kept. */
    public static final int KEEP = 5;

    private final Path file;
    private final AutoCloseable detach; // null when nothing was attached

    private ServerLogFile(Path file, AutoCloseable detach) {
        this.file = file;
        this.detach = detach;
    }

    /** The log file of a work dir. */
    public static Path of(Path workDir) {
        return workDir.resolve("logs").resolve("server.log");
    }

    /** Starts writing the log into the work dir's file (when logback is the SLF4J binding). */
    public static ServerLogFile attach(Path workDir) throws IOException {
        Path file = of(workDir);
        Files.createDirectories(file.getParent());
        boolean logback;
        try {
            Class.forName(
                    "ch.qos.logback.classic.LoggerContext",
                    false,
                    ServerLogFile.class.getClassLoader());
            logback =
                    LoggerFactory.getILoggerFactory()
                            .getClass()
                            .getName()
                            .startsWith("ch.qos.logback");
        } catch (ClassNotFoundException e) {
            logback = false; // another binding (the benchmarks use slf4j-simple)
        }
        return new ServerLogFile(file, logback ? Logback.attach(file) : null);
    }

    /** What needs logback's classes, loaded only when logback is there. */
    private static final class Logback {
        static AutoCloseable attach(Path file) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(
                    "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
            encoder.setCharset(StandardCharsets.UTF_8);
            encoder.start();
            RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
            appender.setContext(context);
            appender.setName("FILE " + file);
            appender.setFile(file.toString());
            appender.setEncoder(encoder);
            FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
            rolling.setContext(context);
            rolling.setParent(appender);
            rolling.setFileNamePattern(file.getParent().resolve("server.%i.log").toString());
            rolling.setMinIndex(1);
            rolling.setMaxIndex(KEEP);
            rolling.start();
            SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
            trigger.setContext(context);
            trigger.setMaxFileSize(FileSize.valueOf(MAX_MB + "MB"));
            trigger.start();
            appender.setRollingPolicy(rolling);
            appender.setTriggeringPolicy(trigger);
            appender.start();
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.addAppender(appender);
            return () -> {
                root.detachAppender(appender);
                appender.stop();
            };
        }
    }

    /** The log file. */
    public Path file() {
        return file;
    }

    /**
     * The last {@code n} lines of the work dir's log: the current file, then the rotated ones
     * before it as far as needed.
     */
    public static List<String> lines(Path workDir, int n) throws IOException {
        Path current = of(workDir);
        Deque<String> out = new ArrayDeque<>();
        List<Path> files = new ArrayList<>();
        files.add(current);
        for (int i = 1; i <= KEEP; i++) {
            files.add(current.resolveSibling("server." + i + ".log"));
        }
        for (Path f : files) {
            if (out.size() >= n) {
                break;
            }
            if (!Files.isRegularFile(f)) {
                continue;
            }
            List<String> tail = tail(f, n - out.size());
            for (int i = tail.size() - 1; i >= 0; i--) {
                out.addFirst(tail.get(i));
            }
        }
        return new ArrayList<>(out);
    }

    /** The last {@code n} lines of a file, read from its end. */
    private static List<String> tail(Path f, int n) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long end = raf.length();
            long pos = end;
            int found = 0;
            byte[] buf = new byte[8192];
            while (pos > 0 && found <= n) {
                int len = (int) Math.min(buf.length, pos);
                pos -= len;
                raf.seek(pos);
                raf.readFully(buf, 0, len);
                for (int i = len - 1; i >= 0; i--) {
                    if (buf[i] == '\n' && pos + i != end - 1 && ++found > n) {
                        pos = pos + i + 1;
                        break;
                    }
                }
            }
            raf.seek(Math.max(0, pos));
            byte[] rest = new byte[(int) (end - Math.max(0, pos))];
            raf.readFully(rest);
            String text = new String(rest, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(text.lines().toList());
            return lines.size() > n ? lines.subList(lines.size() - n, lines.size()) : lines;
        }
    }

    /** Stops writing into the file. */
    @Override
    public void close() {
        if (detach != null) {
            try {
                detach.close();
            } catch (Exception e) {
                // nothing to do: the appender is gone either way
            }
        }
    }
}
