package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every package of every module's main sources documents itself in a {@code package-info.java}.
 * Maven runs the tests with this module's folder as the working directory, so the repository is its
 * parent; every {@code src/main/java} below it is checked (the modules of the default build, the
 * examples and the benchmarks), and a package is a folder there holding at least one other {@code
 * .java} file. Test sources need none.
 */
class PackageInfoTest {
    /** Folders never searched for source roots: build output, VCS data, generated studies. */
    private static final Set<String> SKIPPED = Set.of("target", "node_modules", "work-data");

    @Test
    void everyMainSourcePackageHasAPackageInfo() throws IOException {
        Path repository = Path.of("").toAbsolutePath().getParent();
        assertThat(repository.resolve("pom.xml"))
                .as("the repository root above monailabel-engine")
                .isRegularFile();

        List<Path> roots = mainSourceRoots(repository);
        // the check must not pass by finding nothing: the known source roots are among those
        // searched
        assertThat(roots)
                .map(r -> repository.relativize(r).toString().replace('\\', '/'))
                .contains(
                        "monailabel-api/src/main/java",
                        "monailabel-engine/src/main/java",
                        "monailabel-http/src/main/java",
                        "monailabel-app-template/src/main/java",
                        "examples/minimal-app/src/main/java",
                        "benchmarks/src/main/java");

        List<String> missing = new ArrayList<>();
        for (Path root : roots) {
            for (Path dir : packagesWithoutInfo(root)) {
                missing.add(repository.relativize(dir).toString());
            }
        }
        assertThat(missing).as("main-source packages without a package-info.java").isEmpty();
    }

    @Test
    void aPackageWithoutInfoIsReported(@TempDir Path repository) throws IOException {
        Path main = repository.resolve("mod/src/main/java");
        write(main.resolve("a/b/package-info.java"), "/** Documented. */\npackage a.b;\n");
        write(main.resolve("a/b/Documented.java"), "package a.b;\nclass Documented {}\n");
        write(main.resolve("a/b/c/Bare.java"), "package a.b.c;\nclass Bare {}\n");
        write(main.resolve("a/b/res/notes.txt"), "not a package: no Java source\n");
        write(
                repository.resolve("mod/src/test/java/a/b/t/BareTest.java"),
                "package a.b.t;\nclass BareTest {}\n");
        write(
                repository.resolve("mod/target/generated/src/main/java/g/Gen.java"),
                "package g;\nclass Gen {}\n");
        write(
                repository.resolve("nested/child/src/main/java/n/Nested.java"),
                "package n;\nclass Nested {}\n");

        List<Path> roots = mainSourceRoots(repository);
        assertThat(roots)
                .containsExactlyInAnyOrder(main, repository.resolve("nested/child/src/main/java"));
        assertThat(packagesWithoutInfo(main)).containsExactly(main.resolve("a/b/c"));
        assertThat(packagesWithoutInfo(repository.resolve("nested/child/src/main/java")))
                .containsExactly(repository.resolve("nested/child/src/main/java/n"));
    }

    /**
     * Every {@code src/main/java} folder below {@code repository}, outside build output and hidden
     * folders.
     */
    static List<Path> mainSourceRoots(Path repository) throws IOException {
        List<Path> roots = new ArrayList<>();
        Files.walkFileTree(
                repository,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        if (!dir.equals(repository)
                                && (name.startsWith(".") || SKIPPED.contains(name))) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        if (dir.endsWith(Path.of("src", "main", "java"))) {
                            roots.add(dir);
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        return roots;
    }

    /** The folders below a source root that hold Java sources but no {@code package-info.java}. */
    static List<Path> packagesWithoutInfo(Path sourceRoot) throws IOException {
        try (Stream<Path> dirs = Files.walk(sourceRoot)) {
            return dirs.filter(Files::isDirectory)
                    .filter(
                            dir ->
                                    hasJavaSource(dir)
                                            && !Files.isRegularFile(
                                                    dir.resolve("package-info.java")))
                    .sorted()
                    .toList();
        }
    }

    private static boolean hasJavaSource(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(
                    f ->
                            Files.isRegularFile(f)
                                    && f.getFileName().toString().endsWith(".java")
                                    && !f.getFileName().toString().equals("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
