package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.monailabel.api.Datastore;
import org.monailabel.api.Datastore.Transfer;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;

/**
 * The content check and the hand-over ({@link Transfer#MOVE}) of {@link LocalDatastore#addImage}
 * and {@link LocalDatastore#saveLabel}, through the Java API with the default options.
 */
class LocalDatastoreContentTest {
    @TempDir Path studies;

    @TempDir Path uploads; // on the same file system as studies

    LocalDatastore datastore;

    @BeforeEach
    void open() throws IOException {
        datastore =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false));
        datastore.addImage(
                "ct", image(uploads.resolve("ct.nii.gz"), VoxelType.INT16), "ct.nii.gz", Map.of());
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
                Arguments.of(
                        "garbage.nii.gz", "not a nifti", "Label file is not a valid NIfTI image: "),
                Arguments.of(
                        "garbage.nii", "not a nifti", "Label file is not a valid NIfTI image: "),
                Arguments.of(
                        "garbage.nrrd",
                        "NRRD0004\nnonsense",
                        "Label file is not a valid NRRD image: "),
                Arguments.of(
                        "garbage.seg.nrrd", "not a nrrd", "Label file is not a valid NRRD image: "),
                Arguments.of(
                        "garbage.dcm",
                        "no preamble",
                        "Label file is not a DICOM file (no DICM preamble)"),
                Arguments.of("empty.nii.gz", "", "Label file is empty"),
                Arguments.of("empty.png", "", "Label file is empty"));
    }

    @ParameterizedTest
    @MethodSource("badLabels")
    void saveLabelRefusesBadContentAndLeavesNothingBehind(
            String name, String content, String message) throws IOException {
        for (Transfer transfer : Transfer.values()) {
            Path source = Files.writeString(uploads.resolve(transfer + "-" + name), content);
            Map<String, Object> before = datastore.toJson();
            assertThatThrownBy(
                            () ->
                                    datastore.saveLabel(
                                            "ct",
                                            Datastore.FINAL,
                                            source,
                                            name,
                                            Map.of(),
                                            transfer))
                    .as("%s %s", transfer, name)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith(message);
            assertThat(datastore.toJson()).as("index unchanged").isEqualTo(before);
            assertThat(datastore.labelTags("ct")).isEmpty();
            assertThat(datastore.labelFile("ct", Datastore.FINAL)).isEmpty();
            assertThat(filesUnder(studies.resolve("labels")))
                    .as("no label, no temporary file")
                    .isEmpty();
            assertThat(source).as("the source stays with the caller").hasContent(content);
        }
        datastore.close();
        try (LocalDatastore reopened = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(reopened.labelTags("ct")).as("nothing was journaled").isEmpty();
        }
    }

    @Test
    void aTruncatedImageIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(image(uploads.resolve("label.nii"), VoxelType.UINT8));
        Path half =
                Files.write(uploads.resolve("half.nii"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(
                        () -> datastore.saveLabel("ct", "version_1", half, "label.nii", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Label file is not a valid NIfTI image: ");
        assertThatThrownBy(
                        () -> datastore.addImage("half", half, "half.nii", Map.of(), Transfer.MOVE))
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
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Image file is not a valid NRRD");
        assertThatThrownBy(
                        () -> datastore.addImage("ct", garbage, "ct.nrrd", Map.of(), Transfer.MOVE))
                .as("nor does it replace an image")
                .isInstanceOf(InvalidInputException.class);
        assertThat(datastore.toJson()).isEqualTo(before);
        assertThat(datastore.imageFile("ct")).hasSameBinaryContentAs(uploads.resolve("ct.nii.gz"));
        assertThat(filesUnder(studies)).containsExactlyInAnyOrder("ct.nii.gz", "datastore_v2.json");
        assertThat(garbage).hasContent("not an image");
    }

    @Test
    void otherExtensionsAreStoredAsSent() throws IOException {
        Path xml = Files.writeString(uploads.resolve("l.xml"), "<not checked/>");
        datastore.saveLabel("ct", "version_1", xml, "l.xml", Map.of(), Transfer.MOVE);
        assertThat(datastore.labelFile("ct", "version_1").orElseThrow())
                .hasContent("<not checked/>");
    }

    @Test
    void aLabelOfAnUnknownImageIsNotFoundBeforeItsContentIsRead() throws IOException {
        Path garbage = Files.writeString(uploads.resolve("x.nii.gz"), "not an image");
        assertThatThrownBy(
                        () ->
                                datastore.saveLabel(
                                        "nope", Datastore.FINAL, garbage, "x.nii.gz", Map.of()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void theCheckCanBeTurnedOff() throws IOException {
        datastore.close();
        Path garbage = Files.writeString(uploads.resolve("x.nii.gz"), "trusted stand-in");
        try (LocalDatastore trusting = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            trusting.saveLabel("ct", Datastore.FINAL, garbage, "x.nii.gz", Map.of());
            assertThat(trusting.labelFile("ct", Datastore.FINAL).orElseThrow())
                    .hasContent("trusted stand-in");
        }
    }

    @Test
    void aMovedUploadIsRenamedIntoPlace() throws IOException {
        Path upload =
                image(Files.createTempFile(uploads, "upload-", ".part.nii.gz"), VoxelType.UINT8);
        byte[] content = Files.readAllBytes(upload);
        Object inode = Files.getAttribute(upload, "unix:ino");
        Set<PosixFilePermission> uploadPermissions = Files.getPosixFilePermissions(upload);

        String id =
                datastore.saveLabel(
                        "ct",
                        Datastore.FINAL,
                        upload,
                        "ct_seg.nii.gz",
                        Map.of("k", 1),
                        Transfer.MOVE);

        assertThat(id).isEqualTo("ct");
        assertThat(upload).as("the source is gone").doesNotExist();
        Path label = datastore.labelFile("ct", Datastore.FINAL).orElseThrow();
        assertThat(label.getFileName()).hasToString("ct.nii.gz");
        assertThat(label).hasBinaryContent(content);
        assertThat(Files.getAttribute(label, "unix:ino"))
                .as("renamed, not copied")
                .isEqualTo(inode);
        assertThat(datastore.labelInfo("ct", Datastore.FINAL).orElseThrow())
                .containsEntry("k", 1L)
                .containsEntry("name", "ct.nii.gz");
        assertThat(filesUnder(studies.resolve("labels")))
                .as("no temporary file")
                .containsExactly("final/ct.nii.gz");

        datastore.saveLabel(
                "ct",
                "version_1",
                image(uploads.resolve("v1.nii.gz"), VoxelType.UINT8),
                "v1.nii.gz",
                Map.of());
        Path copied = datastore.labelFile("ct", "version_1").orElseThrow();
        assertThat(uploadPermissions)
                .as("createTempFile makes private files")
                .containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(label))
                .as("permissions of a file the datastore created")
                .isEqualTo(Files.getPosixFilePermissions(copied));

        datastore.close();
        try (LocalDatastore reopened = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThat(reopened.labelFile("ct", Datastore.FINAL).orElseThrow())
                    .hasBinaryContent(content);
            assertThat(reopened.labelInfo("ct", Datastore.FINAL).orElseThrow())
                    .containsEntry("k", 1L);
        }
    }

    @Test
    void aMovedImageIsRenamedIntoPlaceAndReplacesTheOldOne() throws IOException {
        Path upload = image(uploads.resolve("new.nrrd"), VoxelType.INT16);
        byte[] content = Files.readAllBytes(upload);
        Object inode = Files.getAttribute(upload, "unix:ino");
        datastore.addImage("ct", upload, "new.nrrd", Map.of("v", 2), Transfer.MOVE);
        assertThat(upload).doesNotExist();
        assertThat(datastore.imageFileName("ct")).isEqualTo("ct.nrrd");
        assertThat(datastore.imageFile("ct")).hasBinaryContent(content);
        assertThat(Files.getAttribute(datastore.imageFile("ct"), "unix:ino")).isEqualTo(inode);
        assertThat(filesUnder(studies)).containsExactlyInAnyOrder("ct.nrrd", "datastore_v2.json");
    }

    @Test
    void theCopyOverloadsLeaveTheSourceInPlace() throws IOException {
        Path label = image(uploads.resolve("label.nrrd"), VoxelType.UINT8);
        byte[] content = Files.readAllBytes(label);
        Object inode = Files.getAttribute(label, "unix:ino");
        datastore.saveLabel("ct", Datastore.FINAL, label, "label.nrrd", Map.of());
        datastore.saveLabel("ct", Datastore.ORIGINAL, label, "label.nrrd", Map.of(), Transfer.COPY);
        datastore.addImage("ct2", label, "ct2.nrrd", Map.of());
        assertThat(label).hasBinaryContent(content);
        for (Path stored :
                List.of(
                        datastore.labelFile("ct", Datastore.FINAL).orElseThrow(),
                        datastore.labelFile("ct", Datastore.ORIGINAL).orElseThrow(),
                        datastore.imageFile("ct2"))) {
            assertThat(stored).hasBinaryContent(content);
            assertThat(Files.getAttribute(stored, "unix:ino"))
                    .as("a copy of its own")
                    .isNotEqualTo(inode);
        }
    }

    @Test
    void aMoveThatFailsGivesTheSourceBack() throws IOException {
        // a non-empty folder where the label would go: renaming the file over it fails after the
        // journal record
        Files.createDirectories(studies.resolve("labels/final/ct.nii.gz/blocker"));
        Path upload = image(uploads.resolve("label.nii.gz"), VoxelType.UINT8);
        byte[] content = Files.readAllBytes(upload);
        Object inode = Files.getAttribute(upload, "unix:ino");
        assertThatThrownBy(
                        () ->
                                datastore.saveLabel(
                                        "ct",
                                        Datastore.FINAL,
                                        upload,
                                        "label.nii.gz",
                                        Map.of(),
                                        Transfer.MOVE))
                .isInstanceOf(IOException.class);
        assertThat(upload).hasBinaryContent(content);
        assertThat(Files.getAttribute(upload, "unix:ino")).isEqualTo(inode);
        assertThat(datastore.labelTags("ct")).isEmpty();
        try (Stream<Path> files = Files.list(studies.resolve("labels/final"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file")
                    .containsExactly("ct.nii.gz");
        }
    }

    @Test
    void aMoveAcrossFileSystemsCopiesAndDeletes() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(
                Files.isDirectory(shm)
                        && Files.isWritable(shm)
                        && !Files.getFileStore(shm).equals(Files.getFileStore(studies)),
                "needs a second file system");
        Path other = Files.createTempDirectory(shm, "monailabel-test-");
        try {
            Path upload = image(other.resolve("label.nii.gz"), VoxelType.UINT8);
            byte[] content = Files.readAllBytes(upload);
            datastore.saveLabel(
                    "ct", Datastore.FINAL, upload, "label.nii.gz", Map.of(), Transfer.MOVE);
            assertThat(upload).doesNotExist();
            assertThat(datastore.labelFile("ct", Datastore.FINAL).orElseThrow())
                    .hasBinaryContent(content);
            assertThat(filesUnder(studies.resolve("labels"))).containsExactly("final/ct.nii.gz");
        } finally {
            try (Stream<Path> files = Files.walk(other)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void aFileOfTheDatastoreItselfIsNotMoved() throws IOException {
        Path own = datastore.imageFile("ct");
        assertThatThrownBy(
                        () ->
                                datastore.addImage(
                                        "other", own, "other.nii.gz", Map.of(), Transfer.MOVE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("copy it");
        assertThatThrownBy(
                        () ->
                                datastore.saveLabel(
                                        "ct",
                                        Datastore.FINAL,
                                        own,
                                        "l.nii.gz",
                                        Map.of(),
                                        Transfer.MOVE))
                .isInstanceOf(InvalidInputException.class);
        assertThat(own).exists();
        datastore.addImage("other", own, "other.nii.gz", Map.of(), Transfer.COPY);
        assertThat(datastore.imageFile("other")).hasSameBinaryContentAs(own);
    }

    /**
     * The interface's own MOVE, for implementations that only copy: copy, then delete the source.
     */
    @Test
    void theDefaultMoveCopiesAndDeletes() throws IOException {
        Path target = uploads.resolve("stored");
        InvocationHandler handler =
                (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (method.getName().equals("saveLabel")) {
                        Files.copy((Path) args[2], target);
                        return args[0];
                    }
                    throw new UnsupportedOperationException(method.getName());
                };
        Datastore copying =
                (Datastore)
                        Proxy.newProxyInstance(
                                Datastore.class.getClassLoader(),
                                new Class<?>[] {Datastore.class},
                                handler);
        Path source = Files.writeString(uploads.resolve("source.bin"), "bytes");
        assertThat(copying.saveLabel("a", "final", source, "source.bin", Map.of(), Transfer.MOVE))
                .isEqualTo("a");
        assertThat(source).doesNotExist();
        assertThat(target).hasContent("bytes");
        Path kept = Files.writeString(uploads.resolve("kept.bin"), "kept");
        Files.delete(target);
        copying.saveLabel("a", "final", kept, "kept.bin", Map.of(), Transfer.COPY);
        assertThat(kept).hasContent("kept");
        assertThat(new String(Files.readAllBytes(target), StandardCharsets.UTF_8))
                .isEqualTo("kept");
    }

    /**
     * Every file under {@code dir}, hidden ones included except the datastore's lock and journal.
     */
    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .filter(name -> !name.equals(".lock") && !name.startsWith(Journal.PREFIX))
                    .sorted()
                    .toList();
        }
    }
}
