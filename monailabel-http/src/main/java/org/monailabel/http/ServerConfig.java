package org.monailabel.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server is started with; immutable. Built in {@link Main} from defaults, then
 * {@code MONAI_LABEL_*} environment variables, then command-line flags.
 *
 * @param host the address to listen on
 * @param port the port (0: any free port)
 * @param studies the studies folder (the datastore); with {@code dicomWeb}, the folder that keeps
 *     the PACS's converted series, their labels and info
 * @param dicomWeb the PACS served over DICOMweb ({@code http(s)://host/dicom-web}), or empty for
 *     the files of the studies folder
 * @param apps app jars, app folders or an apps folder (see {@link AppsFolder})
 * @param bundles MONAI bundles (folders or zips) served as models named after them
 * @param conf the {@code --conf} app settings
 * @param workDir the server's private folder (uploads, sessions, inference outputs, models)
 * @param modelsDir where apps keep their models ({@code <modelsDir>/<app>/<model>})
 * @param maxUploadBytes the largest request body accepted (413 past it)
 * @param rootPath a path prefix the API is also served under (behind a reverse proxy), or empty
 * @param inferThreads requests of one model running at once
 * @param inferQueue requests of one model waiting before 503
 * @param sessionExpiry default session expiry
 * @param stopTimeout how long a stop waits for a job to reach a safe point, and a shutdown for
 *     requests in flight
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param watchStudies notice files copied into the studies folder while running
 * @param watchApps notice app jars dropped in, replaced or deleted while running
 * @param classpathApps also serve the tasks found on the server's own class path
 * @param workerThreads Undertow worker threads (blocking request work)
 * @param users the local users file that turns authentication on ({@code --users}), if any
 */
public record ServerConfig(
        String host,
        int port,
        Path studies,
        String dicomWeb,
        List<Path> apps,
        List<Path> bundles,
        Map<String, String> conf,
        Path workDir,
        Path modelsDir,
        long maxUploadBytes,
        String rootPath,
        int inferThreads,
        int inferQueue,
        Duration sessionExpiry,
        Duration stopTimeout,
        String device,
        boolean watchStudies,
        boolean watchApps,
        boolean classpathApps,
        int workerThreads,
        Optional<Path> users) {
    /** 4 GiB. */
    public static final long DEFAULT_MAX_UPLOAD = 4L * 1024 * 1024 * 1024;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(studies, "studies");
        Objects.requireNonNull(dicomWeb, "dicomWeb");
        apps = List.copyOf(apps);
        bundles = List.copyOf(bundles);
        conf = Collections.unmodifiableMap(new LinkedHashMap<>(conf));
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(rootPath, "rootPath");
        Objects.requireNonNull(sessionExpiry, "sessionExpiry");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(users, "users");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes must be positive");
        }
    }

    /** A builder with the defaults for a studies folder (port 8000 on all interfaces). */
    public static Builder builder(Path studies) {
        return new Builder(studies);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(studies);
        b.host = host;
        b.port = port;
        b.dicomWeb = dicomWeb;
        b.apps = apps;
        b.bundles = bundles;
        b.conf.putAll(conf);
        b.workDir = workDir;
        b.modelsDir = modelsDir;
        b.maxUploadBytes = maxUploadBytes;
        b.rootPath = rootPath;
        b.inferThreads = inferThreads;
        b.inferQueue = inferQueue;
        b.sessionExpiry = sessionExpiry;
        b.stopTimeout = stopTimeout;
        b.device = device;
        b.watchStudies = watchStudies;
        b.watchApps = watchApps;
        b.classpathApps = classpathApps;
        b.workerThreads = workerThreads;
        b.users = users;
        return b;
    }

    /** Builds a {@link ServerConfig}. */
    public static final class Builder {
        private final Path studies;
        private String dicomWeb = "";
        private String host = "0.0.0.0";
        private int port = 8000;
        private List<Path> apps = List.of();
        private List<Path> bundles = List.of();
        private final Map<String, String> conf = new LinkedHashMap<>();
        private Path workDir;
        private Path modelsDir;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD;
        private String rootPath = "";
        private int inferThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private int inferQueue = 16;
        private Duration sessionExpiry = Duration.ofHours(1);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private String device = "cpu";
        private boolean watchStudies = true;
        private boolean watchApps = true;
        private boolean classpathApps;
        private int workerThreads = 64;
        private Optional<Path> users = Optional.empty();

        private Builder(Path studies) {
            this.studies = Objects.requireNonNull(studies, "studies");
        }

        /** Applies the {@code MONAI_LABEL_*} variables present in {@code env}. */
        public Builder environment(Map<String, String> env) {
            String v;
            if ((v = env.get("MONAI_LABEL_HOST")) != null) {
                host = v;
            }
            if ((v = env.get("MONAI_LABEL_PORT")) != null) {
                port = parseInt("MONAI_LABEL_PORT", v);
            }
            if ((v = env.get("MONAI_LABEL_MAX_UPLOAD")) != null) {
                maxUploadBytes = parseSize(v);
            }
            if ((v = env.get("MONAI_LABEL_ROOT_PATH")) != null) {
                rootPath = v;
            }
            if ((v = env.get("MONAI_LABEL_WORK_DIR")) != null) {
                workDir = Path.of(v);
            }
            if ((v = env.get("MONAI_LABEL_DEVICE")) != null) {
                device = v;
            }
            return this;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder apps(List<Path> value) {
            apps = value;
            return this;
        }

        /** MONAI bundles (folders or zips) to serve as models named after them. */
        public Builder bundles(List<Path> value) {
            bundles = value;
            return this;
        }

        public Builder conf(String key, String value) {
            conf.put(key, value);
            return this;
        }

        public Builder conf(Map<String, String> values) {
            conf.putAll(values);
            return this;
        }

        /** Serves this PACS (DICOMweb URL); the studies folder keeps its cache and labels. */
        public Builder dicomWeb(String url) {
            dicomWeb = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder workDir(Path value) {
            workDir = value;
            return this;
        }

        public Builder modelsDir(Path value) {
            modelsDir = value;
            return this;
        }

        public Builder maxUploadBytes(long value) {
            maxUploadBytes = value;
            return this;
        }

        public Builder rootPath(String value) {
            rootPath = value;
            return this;
        }

        public Builder inferThreads(int value) {
            inferThreads = value;
            return this;
        }

        public Builder inferQueue(int value) {
            inferQueue = value;
            return this;
        }

        public Builder sessionExpiry(Duration value) {
            sessionExpiry = value;
            return this;
        }

        public Builder stopTimeout(Duration value) {
            stopTimeout = value;
            return this;
        }

        public Builder device(String value) {
            device = value;
            return this;
        }

        public Builder watchStudies(boolean value) {
            watchStudies = value;
            return this;
        }

        public Builder watchApps(boolean value) {
            watchApps = value;
            return this;
        }

        public Builder classpathApps(boolean value) {
            classpathApps = value;
            return this;
        }

        public Builder workerThreads(int value) {
            workerThreads = value;
            return this;
        }

        /** Turns authentication on with the local users of this file. */
        public Builder users(Path value) {
            users = Optional.of(value);
            return this;
        }

        public ServerConfig build() {
            Path work = workDir != null ? workDir : studies.resolve(".monailabel");
            Path models = modelsDir != null ? modelsDir : work.resolve("models");
            return new ServerConfig(
                    host,
                    port,
                    studies,
                    dicomWeb,
                    apps,
                    bundles,
                    conf,
                    work,
                    models,
                    maxUploadBytes,
                    rootPath,
                    inferThreads,
                    inferQueue,
                    sessionExpiry,
                    stopTimeout,
                    device,
                    watchStudies,
                    watchApps,
                    classpathApps,
                    workerThreads,
                    users);
        }
    }

    /** {@code 4g}, {@code 512m}, {@code 100k} or a plain number of bytes. */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long factor = 1;
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("k")) {
            factor = 1024;
        } else if (t.endsWith("m")) {
            factor = 1024 * 1024;
        } else if (t.endsWith("g")) {
            factor = 1024L * 1024 * 1024;
        }
        if (factor > 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long value = Long.parseLong(t.trim()) * factor;
            if (value < 1) {
                throw new IllegalArgumentException("Size must be positive: '" + text + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Not a size: '" + text + "' (use e.g. 4g, 512m or bytes)");
        }
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }
}
