package org.monailabel.http;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.monailabel.api.Datastore;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.InferenceLimits;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.http.handler.Services;
import org.monailabel.http.support.Cors;
import org.monailabel.http.support.Forms;
import org.monailabel.http.support.PathPrefix;
import org.monailabel.http.support.ServerLogFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MONAI-Label-compatible REST server: opens the studies folder, loads the apps and serves the
 * API on Undertow. {@link #close()} shuts down gracefully: stop accepting, finish the requests in
 * flight, stop the jobs at a safe point, unload the apps, flush the datastore.
 *
 * <pre>{@code
 * try (MonaiLabelServer server = MonaiLabelServer.start(ServerConfig.builder(studies).port(0).build())) {
 *     URI base = server.uri();    // http://127.0.0.1:<port>/
 * }
 * }</pre>
 */
public final class MonaiLabelServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(MonaiLabelServer.class);

    private final ServerConfig config;
    private final MonaiLabel monaiLabel;
    private final Authentication authentication;
    private final GracefulShutdownHandler shutdown;
    private final Undertow undertow;
    private final ServerLogFile logFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MonaiLabelServer(
            ServerConfig config,
            MonaiLabel monaiLabel,
            Authentication authentication,
            GracefulShutdownHandler shutdown,
            Undertow undertow,
            ServerLogFile logFile) {
        this.logFile = logFile;
        this.config = config;
        this.monaiLabel = monaiLabel;
        this.authentication = authentication;
        this.shutdown = shutdown;
        this.undertow = undertow;
    }

    /** Opens everything and starts listening; on failure, closes what was opened. */
    public static MonaiLabelServer start(ServerConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        Path work = Files.createDirectories(config.workDir());
        ServerLogFile logFile = ServerLogFile.attach(work); // before anything logs
        // before minutes of loading: a bad setting or users file stops the start at once
        Authentication authentication;
        try {
            authentication = Authentication.open(config.users(), config.conf(), work);
        } catch (IOException | RuntimeException e) {
            logFile.close();
            throw e;
        }
        MonaiLabel.Builder builder =
                MonaiLabel.builder()
                        .studies(config.studies(), config.watchStudies())
                        .conf(Authentication.withoutAuthSettings(config.conf()))
                        .device(config.device())
                        .workDir(work)
                        .modelsDir(config.modelsDir())
                        .watch(config.watchApps())
                        .inferenceLimits(
                                new InferenceLimits(config.inferThreads(), config.inferQueue()))
                        .sessionExpiry(config.sessionExpiry())
                        .stopTimeout(config.stopTimeout());
        if (!config.dicomWeb().isEmpty()) {
            builder.dicomWeb(config.dicomWeb());
        }
        AppsFolder.resolve(config.apps(), work).ifPresent(builder::appsFolder);
        config.bundles().forEach(builder::bundle);
        if (config.classpathApps()) {
            builder.classpathApps(true);
        }
        MonaiLabel monaiLabel;
        try {
            monaiLabel = builder.build();
        } catch (IOException | RuntimeException e) {
            logFile.close();
            throw e;
        }
        try {
            Forms forms = new Forms(work.resolve("uploads"), config.maxUploadBytes());
            cleanFolder(work.resolve("uploads"));
            Services services = new Services(monaiLabel, forms, work, version(), authentication);
            HttpHandler root = new Cors(new PathPrefix(config.rootPath(), Routes.of(services)));
            GracefulShutdownHandler shutdown = Handlers.gracefulShutdown(root);
            Undertow undertow =
                    Undertow.builder()
                            .addHttpListener(config.port(), config.host())
                            .setWorkerThreads(config.workerThreads())
                            .setServerOption(
                                    UndertowOptions.MAX_ENTITY_SIZE,
                                    config.maxUploadBytes() + 64 * 1024)
                            .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                            .setHandler(shutdown)
                            .build();
            undertow.start();
            MonaiLabelServer server =
                    new MonaiLabelServer(
                            config, monaiLabel, authentication, shutdown, undertow, logFile);
            logger.info(
                    "monailabel {} serving {} on {} ({} images; authentication {})",
                    services.version(),
                    config.dicomWeb().isEmpty() ? config.studies() : config.dicomWeb(),
                    server.uri(),
                    monaiLabel.datastore().imageIds().size(),
                    authentication.summary());
            return server;
        } catch (IOException | RuntimeException e) {
            try {
                monaiLabel.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            logFile.close();
            throw e;
        }
    }

    private static void cleanFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    if (Files.isDirectory(p)) {
                        try (var walk = Files.walk(p)) {
                            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                                Files.deleteIfExists(q);
                            }
                        }
                    } else {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** The server's version, from the build. */
    public static String version() {
        try (InputStream in = MonaiLabelServer.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }

    /** The port listened on (the real one when the config asked for 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** The base URI, with the loopback address when listening on all interfaces. */
    public URI uri() {
        String host =
                config.host().equals("0.0.0.0") || config.host().equals("::")
                        ? "127.0.0.1"
                        : config.host();
        return URI.create(
                "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** The configuration it was started with. */
    public ServerConfig config() {
        return config;
    }

    /** The loaded apps (for embedding and tests). */
    public MonaiLabel monaiLabel() {
        return monaiLabel;
    }

    /** Who may use the server. */
    public Authentication authentication() {
        return authentication;
    }

    /** The datastore being served. */
    public Datastore datastore() {
        return monaiLabel.datastore();
    }

    /**
     * Shuts down gracefully: refuses new requests (503), waits up to the stop timeout for those in
     * flight, stops jobs at a safe point, unloads apps and flushes the datastore. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        logger.info("Shutting down: finishing requests in flight");
        shutdown.shutdown();
        try {
            if (!shutdown.awaitShutdown(config.stopTimeout().toMillis())) {
                logger.warn(
                        "Requests still in flight after {} s; closing anyway",
                        config.stopTimeout().toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        monaiLabel.close(); // jobs stopped at a safe point, apps unloaded, datastore flushed
        logger.info("Stopped");
        logFile.close();
    }
}
