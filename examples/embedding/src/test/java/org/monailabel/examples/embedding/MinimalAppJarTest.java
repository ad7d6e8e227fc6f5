package org.monailabel.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.engine.apps.AppState;
import org.monailabel.engine.apps.AppsInfo;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.sample.SampleStudies;
import org.monailabel.testing.Poll;

/**
 * The jar {@code examples/minimal-app} builds ({@code target/minimal.jar}) works when dropped into
 * an apps folder, as an operator would install it: loaded by its own class loader, not from the
 * class path.
 */
class MinimalAppJarTest {
    /** The minimal app's {@code finalName} and {@code artifactId}: how its jar is recognised. */
    private static final List<String> JAR_PREFIXES =
            List.of("minimal", "monailabel-example-minimal-app");

    @TempDir static Path tmp;
    static LocalDatastore datastore;
    static MonaiLabel monaiLabel;

    @BeforeAll
    static void start() throws IOException {
        Path apps = Files.createDirectories(tmp.resolve("apps"));
        Files.copy(builtMinimalJar(), apps.resolve("minimal.jar"));
        SampleStudies.generate(tmp.resolve("studies"), 3, 11);
        datastore = LocalDatastore.open(tmp.resolve("studies"));
        monaiLabel =
                MonaiLabel.builder()
                        .datastore(datastore)
                        .appsFolder(apps)
                        .classpathApps(
                                false) // the app's classes are on the test class path too: ignore
                        // them
                        .watch(false)
                        .workDir(tmp.resolve("work"))
                        .build();
    }

    @AfterAll
    static void stop() {
        if (monaiLabel != null) {
            monaiLabel.close();
        }
        if (datastore != null) {
            datastore.close();
        }
    }

    @Test
    void infoListsTheThresholdModelAndTheNewestStrategyOfAppMinimal() {
        AppsInfo info = monaiLabel.info();
        assertThat(info.models()).containsOnlyKeys("threshold");
        assertThat(info.models().get("threshold").labels()).isEqualTo(Map.of("bone", 1));
        assertThat(info.strategies()).containsOnlyKeys("newest");
        assertThat(info.apps())
                .singleElement()
                .satisfies(
                        app -> {
                            assertThat(app.name()).isEqualTo("minimal");
                            assertThat(app.state()).isEqualTo(AppState.LOADED);
                            assertThat(app.tasks()).contains("threshold", "newest");
                        });
    }

    @ParameterizedTest
    @ValueSource(strings = {".nii.gz", ".nrrd"})
    void thresholdLabelsTheBrightVoxelsOnTheInputGrid(String extension) throws IOException {
        Path image = datastore.imageFile("phantom_000");
        Path work = Files.createDirectories(tmp.resolve("request" + extension));
        InferenceRequest request =
                new InferenceRequest(
                        "threshold",
                        image,
                        Optional.of("phantom_000"),
                        Params.of(Map.of("threshold", 150, "result_extension", extension)),
                        Optional.empty(),
                        work);

        InferenceResult result = monaiLabel.infer("threshold", request);

        assertThat(result.json()).containsEntry("label_names", Map.of("bone", 1));
        Path file = result.file().orElseThrow();
        assertThat(file.getFileName().toString()).endsWith(extension);
        Volume input = ImageIo.read(image);
        Volume label = ImageIo.read(file);
        assertThat(label.shape()).isEqualTo(input.shape());
        assertThat(label.affine().approximatelyEquals(input.affine(), 1e-9))
                .as("label affine %s equals the input's %s", label.affine(), input.affine())
                .isTrue();
        long mismatches = 0;
        long bright = 0;
        for (long i = 0; i < input.voxelCount(); i++) {
            int expected = input.get(i) > 150 ? 1 : 0;
            bright += expected;
            if (label.get(i) != expected) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("voxels where label != (image > 150)").isZero();
        assertThat(bright)
                .as("the phantom has voxels on both sides of the threshold")
                .isPositive()
                .isLessThan(input.voxelCount());
    }

    @Test
    void newestHandsOutTheMostRecentlyAddedUnlabeledImage() throws IOException {
        // ts is in whole seconds: add the new image in a later second than the phantoms.
        long phantomsTs =
                datastore.imageIds().stream()
                        .mapToLong(id -> ((Number) datastore.imageInfo(id).get("ts")).longValue())
                        .max()
                        .orElseThrow();
        Poll.until(
                "a second after the phantoms were added",
                Duration.ofSeconds(5),
                () -> Instant.now().getEpochSecond() > phantomsTs);
        // the id sorts between phantom_000 and phantom_001: neither the first nor the last id
        String rescan = "phantom_000_rescan";
        datastore.addImage(
                rescan, datastore.imageFile("phantom_001"), rescan + ".nii.gz", Map.of());
        try {
            Params params = Params.of(Map.of("client_id", "test"));
            assertThat(monaiLabel.nextSample("newest", params)).containsEntry("id", rescan);

            // once labeled it is no longer a candidate
            datastore.saveLabel(
                    rescan,
                    Datastore.FINAL,
                    tmp.resolve("studies")
                            .resolve(SampleStudies.GROUND_TRUTH)
                            .resolve("phantom_001.nii.gz"),
                    rescan + ".nii.gz",
                    Map.of());
            assertThat(monaiLabel.nextSample("newest", params).get("id"))
                    .isIn("phantom_000", "phantom_001", "phantom_002");
        } finally {
            datastore.removeImage(rescan);
        }
    }

    /**
     * The minimal app's packaged jar on the test class path: the reactor puts it there because this
     * module depends on the app, and {@code ./mvnw verify} packages the app before these tests run.
     * Under {@code mvn test} alone the class path holds the app's {@code target/classes} instead.
     */
    private static Path builtMinimalJar() {
        String classPath = System.getProperty("java.class.path");
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            if (name.endsWith(".jar")
                    && JAR_PREFIXES.stream().anyMatch(name::startsWith)
                    && Files.isRegularFile(path)) {
                return path;
            }
            if (Files.isDirectory(path.resolve("org/monailabel/examples/minimal"))) {
                fail(
                        "The minimal app is on the class path as the folder "
                                + path
                                + ", not as its jar: run './mvnw verify' (the package phase builds"
                                + " examples/minimal-app/target/minimal.jar), not 'mvn test'");
            }
        }
        return fail("No minimal app jar (minimal*.jar) on the test class path: " + classPath);
    }
}
