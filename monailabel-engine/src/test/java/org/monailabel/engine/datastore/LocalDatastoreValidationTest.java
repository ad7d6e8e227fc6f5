package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.error.InvalidInputException;

class LocalDatastoreValidationTest {
    @TempDir Path studies;

    @TempDir Path uploads;

    LocalDatastore datastore;
    Path file;

    @BeforeEach
    void open() throws IOException {
        datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH);
        file = Contents.write(uploads.resolve("f"), 1, 10);
        datastore.addImage("ok", file, "ok.nii.gz", Map.of());
    }

    @AfterEach
    void close() {
        datastore.close();
    }

    static Stream<String> badNames() {
        return Stream.of(
                "",
                "a/b",
                "a\\b",
                "..",
                "../x",
                "a..b",
                ".",
                ".hidden",
                "a\0b",
                "a\nb",
                "tab\there",
                "\u007f",
                "x".repeat(256),
                "é".repeat(128));
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void badImageIdsAreRefused(String id) throws IOException {
        assertThatThrownBy(() -> datastore.addImage(id, file, "x.nii.gz", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Image id");
        assertThatThrownBy(() -> datastore.imageInfo(id)).isInstanceOf(InvalidInputException.class);
        assertThat(datastore.hasImage(id)).isFalse();
        try (Stream<Path> files = Files.walk(studies)) {
            assertThat(
                            files.filter(Files::isRegularFile)
                                    .map(p -> studies.relativize(p).toString())
                                    .filter(
                                            name ->
                                                    !name.startsWith(
                                                            "."))) // .lock, journal segments
                    .containsExactlyInAnyOrder("datastore_v2.json", "ok.nii.gz");
        }
        assertThat(uploads.getParent().resolve("x.nii.gz")).doesNotExist();
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void badTagsAreRefused(String tag) {
        assertThatThrownBy(() -> datastore.saveLabel("ok", tag, file, "x.nii.gz", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Label tag");
        assertThatThrownBy(() -> datastore.labeledImageIds(tag))
                .isInstanceOf(InvalidInputException.class);
    }

    static Stream<String> goodNames() {
        return Stream.of(
                "CT chest 2", "spleen_10", "1.2.840.113619", "ünïcødé", "a.b", "x".repeat(248));
    }

    @ParameterizedTest
    @MethodSource("goodNames")
    void reasonableIdsAreAccepted(String id) throws IOException {
        datastore.addImage(id, file, "x.nii.gz", Map.of());
        datastore.saveLabel(id, "version_1", file, "x.nrrd", Map.of());
        assertThat(datastore.labeledImageIds("version_1")).contains(id);
    }

    @Test
    void fileNameOver255BytesIsRefused() {
        String id = "x".repeat(250);
        assertThatThrownBy(() -> datastore.addImage(id, file, "x.nii.gz", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("255");
    }
}
