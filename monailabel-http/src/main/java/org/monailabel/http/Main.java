package org.monailabel.http;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.apps.AppsInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code monailabel} command: {@code start_server}, {@code apps}, {@code datasets}, {@code
 * users}. Errors are one readable line on stderr and a non-zero exit status (1 for failures, 2 for
 * usage errors).
 */
@Command(
        name = "monailabel",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "MONAI Label for the JVM: a MONAI-Label-compatible annotation server.",
        subcommands = {
            Main.StartServer.class,
            Main.Apps.class,
            Main.Datasets.class,
            ModelsCommand.class,
            Users.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {
    /** Studies generated when {@code start_server} gets no {@code --studies}. */
    static final int DEFAULT_STUDIES = 20;

    static final long DEFAULT_SEED = 42;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    PrintWriter err = commandLine.getErr();
                    err.println("monailabel: error: " + message(e));
                    err.flush();
                    return 1;
                });
        cli.setParameterExceptionHandler(
                (e, args1) -> {
                    PrintWriter err = e.getCommandLine().getErr();
                    err.println("monailabel: " + e.getMessage() + " (see --help)");
                    err.flush();
                    return 2;
                });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        if (e instanceof MonaiLabelException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        if (e instanceof BindException) {
            return "cannot listen: "
                    + e.getMessage()
                    + " (is another server running on that port?)";
        }
        if (e instanceof FileSystemException f) {
            return reason(f);
        }
        if (e.getCause() instanceof BindException b) {
            return "cannot listen: "
                    + b.getMessage()
                    + " (is another server running on that port?)";
        }
        return e.getMessage() == null
                ? e.toString()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** A file system error as words: why, on which file. */
    static String reason(IOException e) {
        return e instanceof FileSystemException f
                ? why(f)
                        + ": "
                        + f.getFile()
                        + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "")
                : why(e);
    }

    /** Why a file operation failed, without the file name. */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The repository root the launcher passes ({@code -Dmonailabel.home}); the working directory
     * otherwise.
     */
    static Path home() {
        return Path.of(System.getProperty("monailabel.home", "."));
    }

    /** {@code monailabel start_server}. */
    @Command(
            name = "start_server",
            mixinStandardHelpOptions = true,
            description =
                    "Start the REST server. Without --studies, phantom studies are generated into "
                            + "work-data/studies (once) and served with the template app.")
    static final class StartServer implements Callable<Integer> {
        @Option(
                names = "--app",
                arity = "1..*",
                paramLabel = "PATH",
                description =
                        "App jar(s), app folder(s), or one apps folder (default: the template app)")
        List<Path> apps = new ArrayList<>();

        @Option(
                names = "--bundle",
                paramLabel = "PATH",
                description =
                        "A MONAI bundle (folder or .zip) to serve as a model named after it"
                                + " (repeatable; --conf bundles DIR serves a folder of them)")
        List<Path> bundles = new ArrayList<>();

        @Option(
                names = {"--studies", "-s"},
                paramLabel = "PATH|URL",
                description =
                        "Studies folder (the datastore). Default: work-data/studies with generated"
                                + " phantoms")
        String studies;

        @Option(
                names = {"--conf", "-c"},
                arity = "2",
                paramLabel = "KEY VALUE",
                description = "App setting (repeatable), e.g. --conf models segmentation")
        List<String> conf = new ArrayList<>();

        @Option(
                names = {"--host", "-i"},
                description = "Address to listen on (default: ${DEFAULT-VALUE})")
        String host = "0.0.0.0";

        @Option(
                names = {"--port", "-p"},
                description = "Port (default: ${DEFAULT-VALUE}; 0 for any free port)")
        int port = 8000;

        @Option(
                names = "--work-dir",
                paramLabel = "DIR",
                description = "Server-private folder (default: <studies>/.monailabel)")
        Path workDir;

        @Option(
                names = "--max-upload",
                paramLabel = "SIZE",
                description = "Largest upload, e.g. 4g (default 4g)")
        String maxUpload;

        @Option(
                names = "--root-path",
                paramLabel = "PREFIX",
                description = "Also serve the API under this path prefix (behind a reverse proxy)")
        String rootPath;

        @Option(names = "--device", description = "cpu, cuda or cuda:N (default: cpu)")
        String device;

        @Option(
                names = "--users",
                paramLabel = "FILE",
                description =
                        "Turn authentication on with the local users of FILE (made with"
                                + " 'monailabel users add'; re-read when it changes)")
        Path users;

        @Override
        public Integer call() throws Exception {
            if (users != null && !Files.isRegularFile(users)) { // before generating or loading
                throw new IllegalArgumentException(
                        "--users "
                                + users
                                + ": no such file (create it with: monailabel users add --users "
                                + users
                                + " --name NAME --role admin)");
            }
            Path studiesDir = studiesFolder();
            boolean bundlesOnly =
                    apps.isEmpty() && (!bundles.isEmpty() || confMap(conf).containsKey("bundles"));
            // bundles alone are served alone; otherwise the template app is the default
            List<Path> appPaths = bundlesOnly ? List.of() : apps.isEmpty() ? defaultApps() : apps;
            AppsFolder.check(appPaths);
            ServerConfig.Builder builder =
                    ServerConfig.builder(studiesDir)
                            .dicomWeb(
                                    studies != null && MonaiLabel.isDicomWebUrl(studies)
                                            ? studies
                                            : "")
                            .environment(System.getenv())
                            .host(host)
                            .port(port)
                            .apps(appPaths)
                            .bundles(bundles)
                            .conf(confMap(conf));
            if (workDir != null) {
                builder.workDir(workDir);
            }
            if (maxUpload != null) {
                builder.maxUploadBytes(ServerConfig.parseSize(maxUpload));
            }
            if (rootPath != null) {
                builder.rootPath(rootPath);
            }
            if (device != null) {
                builder.device(device);
            }
            if (users != null) {
                builder.users(users);
            }
            ServerConfig config = builder.build();
            checkPortFree(config.host(), config.port()); // before minutes of loading, not after
            MonaiLabelServer server = MonaiLabelServer.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        server.close();
                                        stopped.countDown();
                                    },
                                    "shutdown"));
            System.out.print(ready(server));
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** The block printed once the server answers: where, what, and who may use it. */
        static String ready(MonaiLabelServer server) {
            ServerConfig config = server.config();
            URI base =
                    server.uri()
                            .resolve(config.rootPath().isEmpty() ? "/" : config.rootPath() + "/");
            AppsInfo info = server.monaiLabel().info();
            StringBuilder b = new StringBuilder();
            b.append("\nmonailabel ")
                    .append(MonaiLabelServer.version())
                    .append(" is ready at ")
                    .append(base)
                    .append('\n');
            if (config.host().equals("0.0.0.0") || config.host().equals("::")) {
                b.append("  listening  on all interfaces, port ")
                        .append(server.port())
                        .append('\n');
            }
            if (config.dicomWeb().isEmpty()) {
                b.append("  studies    ")
                        .append(config.studies().toAbsolutePath().normalize())
                        .append(" (")
                        .append(server.datastore().imageIds().size())
                        .append(" images)\n");
            } else {
                b.append("  studies    ")
                        .append(server.datastore().name())
                        .append(" (")
                        .append(server.datastore().imageIds().size())
                        .append(" series; cache and labels in ")
                        .append(config.studies().toAbsolutePath().normalize())
                        .append(")\n");
            }
            b.append("  models     ")
                    .append(
                            info.models().isEmpty()
                                    ? "(none)"
                                    : String.join(", ", info.models().keySet()))
                    .append('\n');
            b.append("  device     ").append(config.device()).append('\n');
            b.append("  auth       ")
                    .append(authLine(server.authentication(), config.host(), server.port()))
                    .append('\n');
            b.append("  3D Slicer  MONAI Label module, server ").append(base).append('\n');
            b.append("Ctrl-C stops it.\n");
            return b.toString();
        }

        /** The start message's word on who may use the server. */
        static String authLine(Authentication authentication, String host, int port) {
            if (authentication.enabled()) {
                return "on: " + authentication.summary();
            }
            if (loopback(host)) {
                return "off (only this machine can connect, on " + host + ")";
            }
            return "OFF: anyone who can reach port "
                    + port
                    + " can read and change the studies and labels, run models and"
                    + " training.\n"
                    + "             Turn it on with --users FILE (monailabel users add --users"
                    + " FILE --name NAME --role admin),\n"
                    + "             or --conf auth_issuer URL --conf auth_jwks FILE|URL for an"
                    + " identity provider; or listen on --host 127.0.0.1 only.";
        }

        /** Whether {@code host} is a loopback address (127.0.0.0/8, ::1, localhost). */
        static boolean loopback(String host) {
            try {
                InetAddress[] addresses = InetAddress.getAllByName(host);
                for (InetAddress a : addresses) {
                    if (!a.isLoopbackAddress()) {
                        return false;
                    }
                }
                return addresses.length > 0;
            } catch (UnknownHostException e) {
                return false;
            }
        }

        /**
         * Fails with one line when the port is taken, before the datastore and the models load. The
         * server binds again right after, so a race is still reported (by Undertow), only later.
         */
        static void checkPortFree(String host, int port) {
            if (port == 0) {
                return;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, port));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot listen on "
                                + host
                                + ":"
                                + port
                                + ": "
                                + e.getMessage()
                                + " (is another server running on that port? choose another with"
                                + " --port)");
            }
        }

        private Path studiesFolder() throws IOException {
            if (studies != null) {
                if (MonaiLabel.isDicomWebUrl(studies)) {
                    return dicomWebFolder(studies);
                }
                Path dir = Path.of(studies);
                if (Files.exists(dir) && !Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("--studies " + studies + " is not a folder");
                }
                if (Files.isDirectory(dir)
                        && !(Files.isReadable(dir)
                                && Files.isWritable(dir)
                                && Files.isExecutable(dir))) {
                    throw new IllegalArgumentException(
                            "cannot use the studies folder "
                                    + dir.toAbsolutePath()
                                    + ": permission denied (the server reads it and writes labels"
                                    + " and its index there)");
                }
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "cannot create the studies folder "
                                    + dir.toAbsolutePath()
                                    + ": "
                                    + why(e));
                }
                return dir;
            }
            Path dir = defaultDataDir().resolve("studies");
            if (!MonaiLabel.hasSampleStudies(dir)) {
                System.out.println(
                        "Generating "
                                + DEFAULT_STUDIES
                                + " phantom studies into "
                                + dir.toAbsolutePath()
                                + " (once)...");
                MonaiLabel.generateSampleStudies(dir, DEFAULT_STUDIES, DEFAULT_SEED);
            }
            return dir;
        }

        /**
         * Where a PACS's converted series, labels and info are kept: {@code
         * work-data/dicomweb/<host>_<port>_<hash of the URL>}.
         */
        static Path dicomWebFolder(String url) throws IOException {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "--studies " + url + " is not a valid URL: " + e.getMessage());
            }
            if (uri.getHost() == null
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        "--studies "
                                + url
                                + " is not a DICOMweb root such as http://host:8042/dicom-web");
            }
            String withoutUser =
                    uri.getScheme()
                            + "://"
                            + uri.getHost()
                            + ":"
                            + uri.getPort()
                            + uri.getRawPath();
            String hash;
            try {
                hash =
                        HexFormat.of()
                                .formatHex(
                                        MessageDigest.getInstance("SHA-256")
                                                .digest(
                                                        withoutUser.getBytes(
                                                                StandardCharsets.UTF_8)))
                                .substring(0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-256
            }
            String name =
                    (uri.getHost() + "_" + (uri.getPort() < 0 ? "" : uri.getPort()) + "_" + hash)
                            .replaceAll("[^A-Za-z0-9._-]", "_");
            return Files.createDirectories(defaultDataDir().resolve("dicomweb").resolve(name));
        }

        /**
         * Where the embedded default keeps its generated studies: {@code work-data/} in the
         * installation (the repository or the unpacked archive) when that can be written, else
         * {@code ~/.monailabel/work-data} (an archive unpacked into a read-only place).
         */
        static Path defaultDataDir() {
            Path home = home().toAbsolutePath().normalize();
            Path inHome = home.resolve("work-data");
            if (Files.isDirectory(inHome) ? Files.isWritable(inHome) : Files.isWritable(home)) {
                return inHome;
            }
            return Path.of(System.getProperty("user.home"), ".monailabel", "work-data");
        }

        /**
         * The template app: {@code apps/template.jar} in an unpacked release archive, {@code
         * monailabel-app-template/target/template.jar} in the repository.
         */
        static List<Path> defaultApps() {
            Path archive = home().resolve("apps").resolve("template.jar");
            Path repository =
                    home().resolve("monailabel-app-template")
                            .resolve("target")
                            .resolve("template.jar");
            for (Path template : List.of(archive, repository)) {
                if (Files.isRegularFile(template)) {
                    return List.of(template);
                }
            }
            throw new IllegalArgumentException(
                    "no --app given and the template app is missing (looked for "
                            + archive
                            + " and "
                            + repository
                            + "): give --app PATH, or build it with ./mvnw package");
        }
    }

    static Map<String, String> confMap(List<String> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            map.put(pairs.get(i), pairs.get(i + 1));
        }
        return map;
    }

    /** {@code monailabel apps}. */
    @Command(
            name = "apps",
            mixinStandardHelpOptions = true,
            description =
                    "List the apps of an apps folder (or of the given jars) and what each serves.")
    static final class Apps implements Callable<Integer> {
        @Option(
                names = "--app",
                arity = "1..*",
                paramLabel = "PATH",
                description =
                        "App jar(s), app folder(s), or one apps folder (default: the template app)")
        List<Path> apps = new ArrayList<>();

        @Option(
                names = {"--conf", "-c"},
                arity = "2",
                paramLabel = "KEY VALUE",
                description = "App setting")
        List<String> conf = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<Path> appPaths = apps.isEmpty() ? StartServer.defaultApps() : apps;
            Path tmp = Files.createTempDirectory("monailabel-apps-");
            try {
                MonaiLabel.Builder builder =
                        MonaiLabel.builder()
                                .studies(tmp.resolve("studies"), false)
                                .conf(confMap(conf))
                                .workDir(tmp.resolve("work"))
                                .watch(false);
                AppsFolder.resolve(appPaths, tmp.resolve("work")).ifPresent(builder::appsFolder);
                try (MonaiLabel monaiLabel = builder.build()) {
                    print(monaiLabel.info());
                }
            } finally {
                try (var walk = Files.walk(tmp)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            return 0;
        }

        private static void print(AppsInfo info) {
            if (info.apps().isEmpty()) {
                System.out.println("(no apps)");
            }
            for (AppStatus app : info.apps()) {
                System.out.println(
                        app.name()
                                + "  ("
                                + app.source()
                                + ")  "
                                + app.state()
                                + app.error().map(e -> ": " + e).orElse(""));
            }
            info.models()
                    .forEach(
                            (name, m) ->
                                    System.out.println(
                                            "  model     "
                                                    + name
                                                    + "  ["
                                                    + m.type().wireName()
                                                    + "] "
                                                    + m.labels().keySet()
                                                    + "  "
                                                    + m.description()));
            info.trainers()
                    .forEach(
                            (name, t) ->
                                    System.out.println(
                                            "  trainer   " + name + "  " + t.description()));
            info.strategies()
                    .forEach(
                            (name, s) ->
                                    System.out.println(
                                            "  strategy  " + name + "  " + s.description()));
            info.scoring()
                    .forEach(
                            (name, s) ->
                                    System.out.println(
                                            "  scoring   " + name + "  " + s.description()));
        }
    }

    /** {@code monailabel datasets}. */
    @Command(
            name = "datasets",
            mixinStandardHelpOptions = true,
            description =
                    "Generate a sample dataset: --generate phantom --output DIR [--format dicom].")
    static final class Datasets implements Callable<Integer> {
        @Option(
                names = "--generate",
                required = true,
                paramLabel = "KIND",
                description = "What to generate: phantom (CT-like phantoms with ground truth)")
        String generate;

        @Option(
                names = "--output",
                required = true,
                paramLabel = "DIR",
                description = "Folder to write")
        Path output;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description =
                        "nifti (default: images and ground truth as .nii.gz) or dicom (CT series"
                                + " and DICOM SEG ground truth, to load into a PACS)")
        String format = "nifti";

        @Option(names = "--count", description = "Number of studies (default: ${DEFAULT-VALUE})")
        int count = DEFAULT_STUDIES;

        @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE})")
        long seed = DEFAULT_SEED;

        @Override
        public Integer call() throws Exception {
            if (!generate.equals("phantom")) {
                throw new IllegalArgumentException(
                        "unknown dataset '" + generate + "' (known: phantom)");
            }
            if (count < 1) {
                throw new IllegalArgumentException("--count must be at least 1");
            }
            if (format.equals("dicom")) {
                List<String> ids = MonaiLabel.generateDicomSampleStudies(output, count, seed);
                Path out = output.toAbsolutePath();
                System.out.println(
                        "Wrote "
                                + ids.size()
                                + " phantom CT series to "
                                + out.resolve("series")
                                + " and their ground truth as DICOM SEG to "
                                + out.resolve(MonaiLabel.SAMPLE_GROUND_TRUTH)
                                + "\nLoad the series into Orthanc (REST API, port 8042), e.g.:\n"
                                + "  find "
                                + out.resolve("series")
                                + " -name '*.dcm' -exec curl -sf -o /dev/null -X POST"
                                + " http://localhost:8042/instances --data-binary @{} \\;\n"
                                + "then: ./monailabel start_server --studies"
                                + " http://localhost:8042/dicom-web");
                return 0;
            }
            if (!format.equals("nifti")) {
                throw new IllegalArgumentException(
                        "unknown --format '" + format + "' (known: nifti, dicom)");
            }
            List<String> ids = MonaiLabel.generateSampleStudies(output, count, seed);
            System.out.println(
                    "Wrote "
                            + ids.size()
                            + " phantom studies to "
                            + output.toAbsolutePath()
                            + " (ground truth in "
                            + MonaiLabel.SAMPLE_GROUND_TRUTH
                            + "/)");
            return 0;
        }
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "monailabel " + MonaiLabelServer.version() + " (Java " + Runtime.version() + ")"
            };
        }
    }
}
