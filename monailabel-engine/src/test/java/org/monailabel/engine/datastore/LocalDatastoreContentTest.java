package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.Datastore;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;

/**
 * The content check of {@link LocalDatastore#addImage} and {@link LocalDatastore#saveLabel},
 * through the Java API with the default options.
 */
class LocalDatastoreContentTest {
    @TempDir
    Path studies;

    @TempDir
    Path uploads; // on the same file system as studies

    LocalDatastore datastore;

    @BeforeEach
    void open() throws IOException {
        datastore = LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false));
        datastore.addImage("ct", image(uploads.resolve("ct.nii.gz"), VoxelType.INT16), "ct.nii.gz", Map.of());
    }

    @AfterEach
    void close() {
        datastore.close();
    }

    /** A tiny real image (or label map) written by our codec; the name picks the format. */
    private static Path image(Path file, VoxelType type) throws IOException {
        Volume volume = Volume.allocate(type, Affine.diagonal(2, 2, 3), 6, 5, 4);
        for (long i = 0; i < volume.voxelCount(); i++) {
            volume.set(i, i % 3);
        }
        ImageIo.write(volume, file, WriteOptions.defaults().withThreads(1));
        return file;
    }

    static Stream<Arguments> badLabels() {
        return Stream.of(
                Arguments.of("garbage.nii.gz", "not a nifti", "Label file is not a valid NIfTI image: "),
                Arguments.of("garbage.nii", "not a nifti", "Label file is not a valid NIfTI image: "),
                Arguments.of("garbage.nrrd", "NRRD0004\nnonsense", "Label file is not a valid NRRD image: "),
                Arguments.of("garbage.seg.nrrd", "not a nrrd", "Label file is not a valid NRRD image: "),
                Arguments.of("garbage.dcm", "no preamble", "Label file is not a DICOM file (no DICM preamble)"),
                Arguments.of("empty.nii.gz", "", "Label file is empty"),
                Arguments.of("empty.png", "", "Label file is empty"));
    }

    @ParameterizedTest
    @MethodSource("badLabels")
    void saveLabelRefusesBadContentAndLeavesNothingBehind(String name, String content, String message)
            throws IOException {
        Path source = Files.writeString(uploads.resolve(name), content);
        Map<String, Object> before = datastore.toJson();
        assertThatThrownBy(() -> datastore.saveLabel("ct", Datastore.FINAL, source, name, Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith(message);
        assertThat(datastore.toJson()).as("index unchanged").isEqualTo(before);
        assertThat(datastore.labelTags("ct")).isEmpty();
        assertThat(datastore.labelFile("ct", Datastore.FINAL)).isEmpty();
        assertThat(filesUnder(studies.resolve("labels"))).as("no label, no temporary file").isEmpty();
        assertThat(source).as("the source stays with the caller").hasContent(content);
        datastore.close();
        try (LocalDatastore reopened = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(reopened.labelTags("ct")).as("nothing was journaled").isEmpty();
        }
    }

    @Test
    void aTruncatedImageIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(image(uploads.resolve("label.nii"), VoxelType.UINT8));
        Path half = Files.write(uploads.resolve("half.nii"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> datastore.saveLabel("ct", "version_1", half, "label.nii", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Label file is not a valid NIfTI image: ");
        assertThatThrownBy(() -> datastore.addImage("half", half, "half.nii", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Image file is not a valid NIfTI image: ");
        assertThat(datastore.imageIds()).containsExactly("ct");
        assertThat(filesUnder(studies)).containsExactlyInAnyOrder("ct.nii.gz", "datastore_v2.json");
        assertThat(half).exists();
    }

    @Test
    void addImageRefusesBadContentAndLeavesNothingBehind() throws IOException {
        Path garbage = Files.writeString(uploads.resolve("x.nrrd"), "not an image");
        Map<String, Object> before = datastore.toJson();
        assertThatThrownBy(() -> datastore.addImage("x", garbage, "C:\\scans\\x.nrrd", Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("Image file is not a valid NRRD");
        assertThatThrownBy(() -> datastore.addImage("ct", garbage, "ct.nrrd", Map.of()))
                .as("nor does it replace an image").isInstanceOf(InvalidInputException.class);
        assertThat(datastore.toJson()).isEqualTo(before);
        assertThat(datastore.imageFile("ct")).hasSameBinaryContentAs(uploads.resolve("ct.nii.gz"));
        assertThat(filesUnder(studies)).containsExactlyInAnyOrder("ct.nii.gz", "datastore_v2.json");
        assertThat(garbage).hasContent("not an image");
    }

    @Test
    void otherExtensionsAreStoredAsSent() throws IOException {
        Path xml = Files.writeString(uploads.resolve("l.xml"), "<not checked/>");
        datastore.saveLabel("ct", "version_1", xml, "l.xml", Map.of());
        assertThat(datastore.labelFile("ct", "version_1").orElseThrow()).hasContent("<not checked/>");
    }

    @Test
    void aLabelOfAnUnknownImageIsNotFoundBeforeItsContentIsRead() throws IOException {
        Path garbage = Files.writeString(uploads.resolve("x.nii.gz"), "not an image");
        assertThatThrownBy(() -> datastore.saveLabel("nope", Datastore.FINAL, garbage, "x.nii.gz", Map.of()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void theCheckCanBeTurnedOff() throws IOException {
        datastore.close();
        Path garbage = Files.writeString(uploads.resolve("x.nii.gz"), "trusted stand-in");
        try (LocalDatastore trusting = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            trusting.saveLabel("ct", Datastore.FINAL, garbage, "x.nii.gz", Map.of());
            assertThat(trusting.labelFile("ct", Datastore.FINAL).orElseThrow()).hasContent("trusted stand-in");
        }
    }

    /** Every file under {@code dir}, hidden ones included except the datastore's lock and journal. */
    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(name -> !name.equals(".lock") && !name.startsWith(Journal.PREFIX)).sorted().toList();
        }
    }
}
