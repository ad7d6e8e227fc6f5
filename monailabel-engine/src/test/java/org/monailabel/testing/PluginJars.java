package org.monailabel.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds app jars for tests: compiles Java source strings with {@code javax.tools.JavaCompiler}
 * against the test class path (so the API and the engine resolve) and writes a jar with {@code
 * META-INF/services} entries.
 *
 * <pre>{@code
 * Path jar = PluginJars.builder()
 *         .source("com.example.Seg", PluginSources.model("com.example.Seg", "seg", "v1"))
 *         .service(InferenceTask.class, "com.example.Seg")
 *         .write(appsFolder.resolve("seg.jar"));
 * }</pre>
 */
public final class PluginJars {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final Set<String> omitted = new HashSet<>();

    private PluginJars() {}

    /** A new, empty jar description. */
    public static PluginJars builder() {
        return new PluginJars();
    }

    /** Adds a compilation unit whose top-level class is {@code className} (fully qualified). */
    public PluginJars source(String className, String javaSource) {
        sources.put(className, javaSource);
        return this;
    }

    /** Lists {@code className} in {@code META-INF/services/<service name>}. */
    public PluginJars service(Class<?> service, String className) {
        return service(service.getName(), className);
    }

    /**
     * Lists {@code line} in {@code META-INF/services/<serviceName>} (any text, for broken files).
     */
    public PluginJars service(String serviceName, String line) {
        services.computeIfAbsent(serviceName, k -> new ArrayList<>()).add(line);
        return this;
    }

    /** Adds a resource file. */
    public PluginJars resource(String path, String content) {
        resources.put(path, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Compiles the class but leaves it out of the jar, so classes that use it fail to link. */
    public PluginJars omitClass(String className) {
        omitted.add(className);
        return this;
    }

    /**
     * Compiles and writes the jar (replacing {@code jar}), via a hidden temporary file then a move,
     * so a watcher never sees half a jar under the final name.
     *
     * @return {@code jar}
     */
    public Path write(Path jar) throws IOException {
        Path work = Files.createTempDirectory("plugin-jar-");
        try {
            Path classes = Files.createDirectories(work.resolve("classes"));
            if (!sources.isEmpty()) {
                compile(work.resolve("src"), classes);
            }
            Path tmp = jar.resolveSibling("." + jar.getFileName() + ".tmp");
            writeJar(classes, tmp);
            Files.move(
                    tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } finally {
            deleteTree(work);
        }
    }

    /** Writes bytes that are not a jar under a jar's name. */
    public static Path writeGarbage(Path jar) throws IOException {
        return Files.write(jar, "this is not a zip file".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Moves a file's modification time forward by {@code seconds}, so a replaced jar is seen as
     * changed even when it has the same size and lands within the file system's time resolution.
     */
    public static void touch(Path file, int seconds) throws IOException {
        FileTime t = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(t.toMillis() + seconds * 1000L));
    }

    private void compile(Path srcDir, Path classes) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = srcDir.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("No system Java compiler: tests must run on a JDK");
        }
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager fm =
                compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            List<String> options =
                    List.of(
                            "-classpath",
                            System.getProperty("java.class.path"),
                            "-d",
                            classes.toString(),
                            "--release",
                            "17",
                            "-proc:none",
                            "-nowarn",
                            "-g");
            boolean ok = compiler.getTask(diagnostics, fm, null, options, null, units).call();
            if (!ok) {
                throw new IllegalArgumentException(
                        "Plugin sources do not compile:\n" + diagnostics);
            }
        }
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jos = new JarOutputStream(out, manifest)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                String name = classes.relativize(f).toString().replace('\\', '/');
                String className = name.replace('/', '.').replaceAll("\\.class$", "");
                if (!omitted.contains(className)) {
                    put(jos, name, Files.readAllBytes(f));
                }
            }
            for (Map.Entry<String, List<String>> e : services.entrySet()) {
                put(
                        jos,
                        "META-INF/services/" + e.getKey(),
                        (String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, byte[]> e : resources.entrySet()) {
                put(jos, e.getKey(), e.getValue());
            }
        }
    }

    private static void put(JarOutputStream jos, String name, byte[] bytes) throws IOException {
        jos.putNextEntry(new JarEntry(name));
        jos.write(bytes);
        jos.closeEntry();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.delete(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
    }
}
