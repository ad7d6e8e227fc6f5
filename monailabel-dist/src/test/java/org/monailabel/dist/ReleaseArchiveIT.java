package org.monailabel.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked with the system {@code tar} (so the modes are
 * real) and started by {@code bin/monailabel} in an environment that has a Java runtime and nothing
 * else: an empty home (no Maven repository, no DJL cache), a {@code PATH} of the current {@code
 * java}'s folder and {@code /usr/bin:/bin}, no {@code JAVA_HOME}. Run by failsafe after {@code
 * package}; {@code dist.archive} names the archives without their extension.
 */
class ReleaseArchiveIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    @TempDir static Path tmp;

    static String version;

    /** {@code monailabel-VERSION}, or {@code monailabel-VERSION-cuda}: the top folder. */
    static String name;

    static Path tarGz;
    static Path zip;

    /** The unpacked {@code monailabel-VERSION/}. */
    static Path root;

    @BeforeAll
    static void unpack() throws Exception {
        version = property("dist.version");
        name = property("dist.name");
        tarGz = Path.of(property("dist.archive") + ".tar.gz");
        zip = Path.of(property("dist.archive") + ".zip");
        assertThat(tarGz).isRegularFile();
        assertThat(zip).isRegularFile();
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Run tar =
                run(
                        new ProcessBuilder(
                                "tar", "-xzf", tarGz.toString(), "-C", unpacked.toString()),
                        Map.of(),
                        Duration.ofMinutes(5));
        assertThat(tar.exit).as(tar.output).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly(name);
        }
        root = unpacked.resolve(name);
    }

    @Test
    void oneTopFolderHoldsTheLauncherTheClassPathTheTemplateAppAndTheLicences() throws IOException {
        Map<String, Integer> files = tarFiles();
        assertThat(files.keySet())
                .allSatisfy(
                        entry ->
                                assertThat(entry)
                                        .startsWith(name + "/")
                                        .doesNotContain("..")
                                        .doesNotStartWith("/"));
        assertThat(files.get(name + "/bin/monailabel"))
                .as("mode of bin/monailabel")
                .isEqualTo(0755);

        assertThat(Files.getPosixFilePermissions(root.resolve("bin/monailabel")))
                .contains(
                        PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE);
        assertThat(root.resolve("lib/org.monailabel.monailabel-http-" + version + ".jar"))
                .isRegularFile();
        assertThat(root.resolve("apps/template.jar")).isRegularFile();
        assertThat(libJars())
                .anySatisfy(
                        jar -> assertThat(jar).startsWith("ai.djl.pytorch.pytorch-native-cpu-"));
        Path repository = Path.of(property("dist.repository"));
        assertThat(root.resolve("README.md"))
                .hasSameBinaryContentAs(repository.resolve("README.md"));
        assertThat(root.resolve("LICENSE")).hasSameBinaryContentAs(repository.resolve("LICENSE"));
        assertThat(Files.readString(root.resolve("LICENSE")))
                .contains("Apache License", "Version 2.0");
        assertThat(Files.readString(root.resolve("THIRD-PARTY.md")))
                .contains("monailabel " + version)
                .doesNotContain("${");
    }

    @Test
    void theArchiveNamesThePyTorchNativesItCarriesAndHasAWindowsLauncher() throws IOException {
        List<String> named = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("NATIVES"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            assertThat(parts).as("NATIVES line '%s'", l).hasSize(3);
            String[] ga = parts[0].split(":");
            named.add(ga[0] + "." + ga[1] + "-" + parts[1] + "-" + parts[2] + ".jar");
        }
        assertThat(named)
                .contains(
                        "ai.djl.pytorch.pytorch-native-cpu-"
                                + property("dist.pytorch.version")
                                + "-"
                                + property("dist.pytorch.platform")
                                + ".jar");
        assertThat(libJars().stream().filter(j -> j.startsWith("ai.djl.pytorch.pytorch-native-")))
                .as("the native jars in lib/ are those NATIVES names")
                .containsExactlyInAnyOrderElementsOf(named);
        String bat = Files.readString(root.resolve("bin/monailabel.bat"));
        assertThat(bat).contains("org.monailabel.http.Main").contains("\r\n");
    }

    @Test
    void theZipHoldsTheSameFilesWithTheSameModes() throws IOException {
        Map<String, Integer> zipFiles = new TreeMap<>();
        try (ZipFile archive = ZipFile.builder().setPath(zip).get()) {
            for (ZipArchiveEntry entry : Collections.list(archive.getEntries())) {
                if (!entry.isDirectory()) {
                    zipFiles.put(entry.getName(), entry.getUnixMode() & 07777);
                }
            }
        }
        assertThat(zipFiles).isEqualTo(tarFiles());
    }

    @Test
    void everyJarInLibHasALicenceRowWhoseTextsAreInTheArchive() throws IOException {
        String table = Files.readString(root.resolve("THIRD-PARTY.md"));
        Pattern row =
                Pattern.compile("(?m)^\\| `([^`:]+):([^`]+)` \\|([^|]+)\\|([^|]+)\\|([^|]+)\\|$");
        Matcher m = row.matcher(table);
        Map<String, String> rows = new TreeMap<>(); // "groupId.artifactId-" -> texts
        while (m.find()) {
            assertThat(m.group(4)).as("licence of " + m.group(1) + ":" + m.group(2)).isNotBlank();
            rows.put(m.group(1) + "." + m.group(2) + "-", m.group(5));
        }
        assertThat(rows).hasSizeGreaterThan(20);

        List<String> jars = libJars();
        for (String jar : jars) {
            List<String> matching =
                    rows.keySet().stream()
                            .filter(
                                    prefix ->
                                            jar.startsWith(prefix)
                                                    && Character.isDigit(
                                                            jar.charAt(prefix.length())))
                            .toList();
            assertThat(matching).as("THIRD-PARTY.md rows for lib/" + jar).hasSize(1);
        }
        boolean cuda = property("dist.flavor").equals("cuda");
        rows.forEach(
                (prefix, texts) -> {
                    boolean cudaOnly = prefix.contains("pytorch-native-cu");
                    if (!cudaOnly || cuda) {
                        assertThat(jars)
                                .as("a jar for the row " + prefix)
                                .anySatisfy(jar -> assertThat(jar).startsWith(prefix));
                    }
                    List<String> paths =
                            Pattern.compile("`([^`]+)`")
                                    .matcher(texts)
                                    .results()
                                    .map(r -> r.group(1))
                                    .toList();
                    assertThat(paths).as("licence texts of " + prefix).isNotEmpty();
                    if (!cudaOnly || cuda) {
                        assertThat(paths)
                                .allSatisfy(
                                        p ->
                                                assertThat(root.resolve(p))
                                                        .as("licence text")
                                                        .isRegularFile());
                    }
                });
    }

    @Test
    void noBuildPathsInsideAndNothingFromBesideTheRepository() throws IOException {
        Path repository = Path.of(property("dist.repository")).toAbsolutePath().normalize();
        List<String> forbidden =
                new ArrayList<>(
                        List.of(
                                repository.toString(),
                                Path.of(System.getProperty("user.home"), ".m2").toString()));
        try (Stream<Path> beside =
                Files.list(repository.getParent())) { // folders next to the checkout
            beside.filter(Files::isDirectory)
                    .filter(p -> !p.equals(repository))
                    .forEach(p -> forbidden.add(p.toAbsolutePath().normalize().toString() + "/"));
        }
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String path = root.relativize(file).toString();
                boolean ours =
                        path.startsWith("lib/org.monailabel.") || path.equals("apps/template.jar");
                if (path.endsWith(".jar") && ours) {
                    scanJar(file, forbidden);
                } else if (path.endsWith(".jar")) {
                    scanManifest(file, forbidden);
                } else {
                    assertNone(path, Files.readAllBytes(file), forbidden);
                }
                scanned.add(file);
            }
        }
        assertThat(scanned).hasSizeGreaterThan(40);
    }

    @Test
    void startsFromTheArchiveAloneServesTheTemplateAppAndStopsCleanlyOnSigterm() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Map<String, String> env = cleanEnvironment(home);

        Run versionRun =
                run(
                        new ProcessBuilder(root.resolve("bin/monailabel").toString(), "--version"),
                        env,
                        Duration.ofMinutes(1));
        assertThat(versionRun.exit).as(versionRun.output).isZero();
        assertThat(versionRun.output).contains("monailabel " + version);

        int port = freePort();
        Path log = tmp.resolve("server.log");
        ProcessBuilder pb =
                new ProcessBuilder(
                                root.resolve("bin/monailabel").toString(),
                                "start_server",
                                "--port",
                                String.valueOf(port))
                        .directory(tmp.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process server = pb.start();
        try {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!Files.readString(log).contains(" is ready at ")) {
                assertThat(server.isAlive())
                        .as("server running; its output:\n" + Files.readString(log))
                        .isTrue();
                assertThat(System.nanoTime())
                        .as("ready within " + START_TIMEOUT + "; output:\n" + Files.readString(log))
                        .isLessThan(deadline);
                Thread.sleep(250);
            }

            HttpClient http =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> info =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/info/"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
            JsonObject models =
                    JsonParser.parseString(info.body()).getAsJsonObject().getAsJsonObject("models");
            assertThat(models.keySet()).contains("segmentation", "deepgrow_3d", "deepedit");

            // PyTorch from lib/ runs: the bundled model segments a generated phantom
            HttpResponse<String> infer =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + port
                                                            + "/infer/segmentation?image=phantom_000&output=json"))
                                    .timeout(Duration.ofSeconds(120))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
            assertThat(
                            JsonParser.parseString(infer.body())
                                    .getAsJsonObject()
                                    .getAsJsonObject("label_names")
                                    .keySet())
                    .contains("spleen", "liver");

            server.destroy(); // SIGTERM: bin/monailabel exec'd java, so this is the JVM
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped within a minute").isTrue();
            String output = Files.readString(log);
            assertThat(server.exitValue()).as(output).isEqualTo(128 + 15);
            assertThat(output).contains("Shutting down", "Stopped").doesNotContain("Exception");
            assertOutputOfACleanStart(output);
        } finally {
            server.destroyForcibly();
        }

        // nothing was downloaded, nothing came from a Maven repository: DJL unpacked the native
        // library from its jar in lib/ into the empty home's cache, and that is all there is
        assertThat(home.resolve(".m2")).doesNotExist();
        Path djl = home.resolve(".djl.ai").resolve("pytorch");
        try (Stream<Path> dirs = Files.list(djl)) {
            String flavor =
                    property("dist.flavor").equals("cuda") && gpuPresent() ? "cu124" : "cpu";
            List<String> names = dirs.map(p -> p.getFileName().toString()).toList();
            assertThat(names)
                    .as("DJL's cache")
                    .hasSize(1)
                    .allSatisfy(
                            n ->
                                    assertThat(n)
                                            .startsWith(property("dist.pytorch.version") + "-")
                                            .endsWith("-" + flavor + "-linux-x86_64"));
            assertThat(djl.resolve(names.get(0)).resolve("libtorch_cpu.so")).isRegularFile();
        }
    }

    @Test
    void theLauncherFindsItsFolderThroughASymlinkAndRefusesAnOldJava() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home-launcher"));
        Map<String, String> env = cleanEnvironment(home);
        Path links = Files.createDirectories(tmp.resolve("links"));
        Path direct =
                Files.createSymbolicLink(
                        links.resolve("monailabel-direct"), root.resolve("bin/monailabel"));
        Path chained =
                Files.createSymbolicLink(links.resolve("monailabel"), Path.of("monailabel-direct"));
        Run viaLink =
                run(
                        new ProcessBuilder(chained.toString(), "--version"),
                        env,
                        Duration.ofMinutes(1));
        assertThat(viaLink.exit).as(viaLink.output).isZero();
        assertThat(viaLink.output).contains("monailabel " + version);
        assertThat(direct).isSymbolicLink();

        Map<String, String> withJavaHome = new TreeMap<>(env);
        withJavaHome.put("JAVA_HOME", System.getProperty("java.home"));
        Run javaHome =
                run(
                        new ProcessBuilder(root.resolve("bin/monailabel").toString(), "--version"),
                        withJavaHome,
                        Duration.ofMinutes(1));
        assertThat(javaHome.exit).as(javaHome.output).isZero();

        Path oldJava =
                Files.createDirectories(tmp.resolve("old-jdk").resolve("bin")).resolve("java");
        Files.writeString(
                oldJava, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        oldJava.toFile().setExecutable(true);
        Map<String, String> old = new TreeMap<>(env);
        old.put("JAVA_HOME", oldJava.getParent().getParent().toString());
        Run refused =
                run(
                        new ProcessBuilder(root.resolve("bin/monailabel").toString(), "--version"),
                        old,
                        Duration.ofMinutes(1));
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.output.strip())
                .doesNotContain("\n")
                .contains("needs Java 17 or newer", "11.0.22");
    }

    /**
     * A clean CPU start says which PyTorch serves and warns about nothing (DJL's CUDA probe warned
     * twice at each start on a machine with a CUDA runtime but no driver). The CUDA build on a
     * machine without a usable GPU says it runs on the CPU; there DJL's own warnings about the GPU
     * it could not find are expected.
     */
    private static void assertOutputOfACleanStart(String output) {
        String pytorch = property("dist.pytorch.version");
        assertThat(output).doesNotContain("Downloading");
        List<String> warnings =
                output.lines().filter(l -> l.matches("^[0-9:.]+ (WARN|ERROR) .*")).toList();
        if (property("dist.flavor").equals("cpu")) {
            assertThat(output)
                    .contains("PyTorch " + pytorch + " (CPU build): models run on the CPU")
                    .doesNotContain("Failed to detect GPU count")
                    .doesNotContain("CudaUtils");
            assertThat(warnings).as("warnings and errors of a clean start").isEmpty();
        } else {
            assertThat(output)
                    .containsPattern(
                            "PyTorch "
                                    + Pattern.quote(pytorch)
                                    + " \\(cu124 build\\) (with [1-9][0-9]* GPU\\(s\\)|found no"
                                    + " usable GPU and runs on the CPU)");
            assertThat(warnings)
                    .allSatisfy(w -> assertThat(w).containsAnyOf("CudaUtils - ", "Platform - "));
        }
    }

    private static boolean gpuPresent() throws IOException {
        return Files.readString(tmp.resolve("server.log"))
                .matches("(?s).*\\(cu124 build\\) with [1-9].*");
    }

    /** Only what a user with nothing but a Java runtime has: an empty home and a short PATH. */
    private static Map<String, String> cleanEnvironment(Path home) {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        Map<String, String> env = new TreeMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", javaBin + ":/usr/bin:/bin");
        // Java takes user.home from the password database, not from HOME: DJL's cache follows it
        env.put("MONAI_LABEL_JAVA_OPTS", "-Xmx2g -Duser.home=" + home);
        return env;
    }

    /** The tar's regular files and their modes. */
    private static Map<String, Integer> tarFiles() throws IOException {
        Map<String, Integer> files = new TreeMap<>();
        try (InputStream in =
                        new GZIPInputStream(
                                new BufferedInputStream(Files.newInputStream(tarGz)), 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                assertThat(entry.isSymbolicLink() || entry.isLink())
                        .as("link " + entry.getName())
                        .isFalse();
                if (entry.isFile()) {
                    files.put(entry.getName(), entry.getMode() & 07777);
                }
            }
        }
        return files;
    }

    private static List<String> libJars() throws IOException {
        try (Stream<Path> lib = Files.list(root.resolve("lib"))) {
            return lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void scanJar(Path jar, List<String> forbidden) throws IOException {
        try (ZipInputStream in =
                new ZipInputStream(new BufferedInputStream(Files.newInputStream(jar)))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                assertThat(entry.getName()).doesNotContain("..");
                assertNone(jar.getFileName() + "!" + entry.getName(), in.readAllBytes(), forbidden);
            }
        }
    }

    private static void scanManifest(Path jar, List<String> forbidden) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry manifest = file.getEntry("META-INF/MANIFEST.MF");
            if (manifest != null) {
                try (InputStream in = file.getInputStream(manifest)) {
                    assertNone(
                            jar.getFileName() + "!META-INF/MANIFEST.MF",
                            in.readAllBytes(),
                            forbidden);
                }
            }
        }
    }

    private static void assertNone(String what, byte[] content, List<String> forbidden) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        for (String f : forbidden) {
            assertThat(text).as(what + " mentions " + f).doesNotContain(f);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record Run(int exit, String output) {}

    private static Run run(ProcessBuilder pb, Map<String, String> env, Duration timeout)
            throws Exception {
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile(tmp, "run", ".log");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(
                    pb.command()
                            + " did not finish within "
                            + timeout
                            + ":\n"
                            + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value)
                .as("system property " + name + " (set by failsafe in monailabel-dist/pom.xml)")
                .isNotNull();
        return value;
    }
}
