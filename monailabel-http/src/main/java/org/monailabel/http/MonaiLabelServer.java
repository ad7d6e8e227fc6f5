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
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.jobs.JobRunner;
import org.monailabel.engine.session.SessionStore;
import org.monailabel.http.handler.Services;
import org.monailabel.http.support.Cors;
import org.monailabel.http.support.Forms;
import org.monailabel.http.support.InferenceGate;
import org.monailabel.http.support.PathPrefix;
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
    private final LocalDatastore datastore;
    private final MonaiLabel monaiLabel;
    private final Services services;
    private final ScheduledExecutorService housekeeping;
    private final GracefulShutdownHandler shutdown;
    private final Undertow undertow;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MonaiLabelServer(ServerConfig config, LocalDatastore datastore, MonaiLabel monaiLabel, Services services,
            ScheduledExecutorService housekeeping, GracefulShutdownHandler shutdown, Undertow undertow) {
        this.config = config;
        this.datastore = datastore;
        this.monaiLabel = monaiLabel;
        this.services = services;
        this.housekeeping = housekeeping;
        this.shutdown = shutdown;
        this.undertow = undertow;
    }

    /** Opens everything and starts listening; on failure, closes what was opened. */
    public static MonaiLabelServer start(ServerConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        Path work = Files.createDirectories(config.workDir());
        LocalDatastore datastore = LocalDatastore.open(config.studies(),
                LocalDatastore.Options.defaults().withWatch(config.watchStudies()));
        MonaiLabel monaiLabel = null;
        SessionStore sessions = null;
        JobRunner training = null;
        JobRunner scoring = null;
        JobRunner batch = null;
        try {
            MonaiLabel.Builder builder = MonaiLabel.builder().datastore(datastore).conf(config.conf())
                    .device(config.device()).workDir(work).modelsDir(config.modelsDir()).watch(config.watchApps());
            Optional<Path> apps = AppsFolder.resolve(config.apps(), work);
            apps.ifPresent(builder::appsFolder);
            if (config.classpathApps()) {
                builder.classpathApps(true);
            }
            monaiLabel = builder.build();
            sessions = new SessionStore(work.resolve("sessions"), config.sessionExpiry(),
                    Duration.ofSeconds(Math.max(config.sessionExpiry().toSeconds(), 3600)));
            training = new JobRunner("train", 100);
            scoring = new JobRunner("scoring", 100);
            batch = new JobRunner("batch infer", 100);
            Forms forms = new Forms(work.resolve("uploads"), config.maxUploadBytes());
            cleanFolder(work.resolve("uploads"));
            cleanFolder(work.resolve("infer"));
            Services services = new Services(monaiLabel, datastore, forms, sessions, training, scoring, batch,
                    new InferenceGate(config.inferThreads(), config.inferQueue()), work,
                    config.modelsDir().toAbsolutePath().normalize(), version(), config.stopTimeout().toSeconds());
            HttpHandler root = new Cors(new PathPrefix(config.rootPath(), Routes.of(services)));
            GracefulShutdownHandler shutdown = Handlers.gracefulShutdown(root);
            Undertow undertow = Undertow.builder()
                    .addHttpListener(config.port(), config.host())
                    .setWorkerThreads(config.workerThreads())
                    .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, config.maxUploadBytes() + 64 * 1024)
                    .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                    .setHandler(shutdown)
                    .build();
            undertow.start();
            SessionStore sessionStore = sessions;
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "housekeeping");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleWithFixedDelay(sessionStore::purgeExpired, 1, 1, TimeUnit.MINUTES);
            MonaiLabelServer server = new MonaiLabelServer(config, datastore, monaiLabel, services, housekeeping,
                    shutdown, undertow);
            logger.info("monailabel {} serving {} on {} ({} images)", services.version(), config.studies(), server.uri(),
                    datastore.imageIds().size());
            return server;
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {batch, scoring, training, sessions, monaiLabel, datastore}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }

    private static void cleanFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    if (Files.isDirectory(p)) {
                        try (var walk = Files.walk(p)) {
                            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
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
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** The configuration it was started with. */
    public ServerConfig config() {
        return config;
    }

    /** The loaded apps (for embedding and tests). */
    public MonaiLabel monaiLabel() {
        return monaiLabel;
    }

    /** The datastore being served. */
    public LocalDatastore datastore() {
        return datastore;
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
                logger.warn("Requests still in flight after {} s; closing anyway", config.stopTimeout().toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        housekeeping.shutdownNow();
        services.training().close();
        services.scoring().close();
        services.batch().close();
        services.sessions().close();
        monaiLabel.close();
        datastore.close();
        logger.info("Stopped");
    }
}
