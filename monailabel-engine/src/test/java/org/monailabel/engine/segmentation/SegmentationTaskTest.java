package org.monailabel.engine.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.AppConfig;
import org.monailabel.api.AppContext;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceRequest;
import org.monailabel.api.InferenceResult;
import org.monailabel.api.Params;
import org.monailabel.api.error.BusyException;
import org.monailabel.api.error.ConflictException;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.testing.TestDatastores;

/** The whole automatic-segmentation task on real files with a small (untrained) UNet. */
@Tag("engine")
class SegmentationTaskTest {
    @TempDir static Path dir;
    static SegmentationTask task;
    static Datastore datastore;

    static final class Seg extends SegmentationTask {
        Seg() {
            super("seg", "test segmentation", Map.of("liver", 1, "spleen", 2));
        }
    }

    @BeforeAll
    static void open() throws IOException {
        datastore = TestDatastores.create(dir.resolve("studies"));
        UNetConfig cfg =
                new UNetConfig(
                        1,
                        3,
                        new int[] {4, 8, 16},
                        new int[] {2, 2},
                        1,
                        Norm.BATCH,
                        Activation.PRELU,
                        0);
        ModelCard card =
                new ModelCard(
                        "seg",
                        1,
                        "unet",
                        cfg.toMap(),
                        "model.params",
                        Map.of("background", 0, "liver", 1, "spleen", 2),
                        new double[] {6, 6, 6},
                        IntensityWindow.ct(-57, 164),
                        new int[] {32, 32, 32},
                        0.25,
                        2,
                        BlendMode.GAUSSIAN,
                        Map.of());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(cfg);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            LoadedModel.save(card, block, dir.resolve("models/seg"));
        }
        task = new Seg();
        task.open(context(Map.of("infer_threads", "1", "infer_queue", "2")));
    }

    static AppContext context(Map<String, String> conf) throws IOException {
        return new AppContext(
                "test", dir, dir.resolve("models"), AppConfig.of(conf), datastore, "cpu");
    }

    @AfterAll
    static void close() {
        task.close();
        datastore.close();
    }

    static Path phantom(String name, StorageOrder order, Affine oblique) throws IOException {
        int[] shape = {40, 36, 20};
        Volume ct =
                oblique == null
                        ? PhantomGenerator.render(name, 3, shape, new double[] {9, 9, 14}, order)
                                .image()
                        : PhantomGenerator.render(name, 3, shape, oblique).image();
        Path file = dir.resolve(name + ".nii.gz");
        ImageIo.write(ct, file, WriteOptions.defaults());
        return file;
    }

    static InferenceResult infer(Path image, Map<String, Object> params) throws IOException {
        Path work = Files.createTempDirectory(dir, "work");
        return task.infer(
                new InferenceRequest(
                        "seg", image, Optional.empty(), Params.of(params), Optional.empty(), work));
    }

    /**
     * Grid, type and names only: this untrained network's label says nothing of where organs are.
     * That the label covers them on every storage order is checked with the trained template model
     * ({@code SegmentationTest.theLabelCoversTheOrgansOnEveryStorageOrder} in the template app).
     */
    @Test
    void theLabelHasTheInputGridAndTypeForEveryStorageOrder() throws IOException {
        Affine oblique = Affine.of(8.5, -3.1, 0, -170, 3.1, 8.5, 0, -150, 0, 0, 14, -130);
        for (Object[] c :
                new Object[][] {
                    {"lps", StorageOrder.LPS, null},
                    {"pls", StorageOrder.PLS, null},
                    {"oblique", StorageOrder.RAS, oblique}
                }) {
            Path image = phantom((String) c[0], (StorageOrder) c[1], (Affine) c[2]);
            Volume input = ImageIo.read(image);
            InferenceResult result =
                    infer(image, Map.of("result_extension", ".nrrd", "result_dtype", "uint8"));
            Path file = result.file().orElseThrow();
            assertThat(file.getFileName().toString()).endsWith(".nrrd");
            Volume label = ImageIo.read(file);
            assertThat(label.type()).isEqualTo(VoxelType.UINT8);
            assertThat(label.shape()).isEqualTo(input.shape());
            assertThat(label.affine().approximatelyEquals(input.affine(), 1e-4))
                    .as("%s: %s vs %s", c[0], label.affine(), input.affine())
                    .isTrue();
            Set<Integer> values = new HashSet<>();
            for (long i = 0; i < label.voxelCount(); i++) {
                values.add((int) label.get(i));
            }
            assertThat(values).isSubsetOf(0, 1, 2);
            assertThat(result.json()).containsEntry("label_names", Map.of("liver", 1, "spleen", 2));
            @SuppressWarnings("unchecked")
            Map<String, Object> latencies = (Map<String, Object>) result.json().get("latencies");
            assertThat(latencies).containsKeys("pre", "infer", "invert", "post", "write", "total");
        }
    }

    @Test
    void writesTheRequestedFormatsAndTypes() throws IOException {
        Path image = phantom("formats", StorageOrder.LAS, null);
        for (String ext : List.of(".nii.gz", ".nii", ".seg.nrrd")) {
            Path file =
                    infer(image, Map.of("result_extension", ext, "result_dtype", "int16"))
                            .file()
                            .orElseThrow();
            assertThat(file.getFileName().toString()).endsWith(ext);
            Volume label = ImageIo.read(file);
            assertThat(label.shape()).isEqualTo(ImageIo.read(image).shape());
        }
        assertThat(infer(image, Map.of()).file().orElseThrow().toString()).endsWith(".nii.gz");
        assertThatThrownBy(() -> infer(image, Map.of("result_extension", ".png")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("result_extension");
        assertThatThrownBy(() -> infer(image, Map.of("result_dtype", "complex64")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("result_dtype");
    }

    @Test
    void badImagesAreClearErrorsAndTheTaskKeepsServing() throws IOException {
        Volume flat = Volume.allocate(VoxelType.INT16, Affine.diagonal(1, 1, 1), 32, 32, 1);
        Path flatFile = dir.resolve("flat.nii");
        ImageIo.write(flat, flatFile, WriteOptions.defaults());
        assertThatThrownBy(() -> infer(flatFile, Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2-D");

        Volume nan = Volume.allocate(VoxelType.FLOAT32, Affine.diagonal(5, 5, 5), 16, 16, 16);
        nan.set(100, Double.NaN);
        Path nanFile = dir.resolve("nan.nii");
        ImageIo.write(nan, nanFile, WriteOptions.defaults());
        assertThatThrownBy(() -> infer(nanFile, Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NaN");

        Path notAnImage = dir.resolve("garbage.nii.gz");
        Files.writeString(notAnImage, "not an image");
        assertThatThrownBy(() -> infer(notAnImage, Map.of())).isInstanceOf(IOException.class);

        assertThat(infer(phantom("after", StorageOrder.RAS, null), Map.of()).file()).isPresent();
    }

    @Test
    void concurrentRequestsGetTheSameAnswerAndAFullQueueIsBusy() throws Exception {
        Path image = phantom("busy", StorageOrder.LPS, null);
        byte[] expected =
                Files.readAllBytes(
                        infer(image, Map.of("result_extension", ".nii")).file().orElseThrow());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(
                        clients.submit(
                                () ->
                                        Files.readAllBytes(
                                                infer(image, Map.of("result_extension", ".nii"))
                                                        .file()
                                                        .orElseThrow())));
            }
            int busy = 0;
            for (Future<byte[]> f : answers) {
                try {
                    assertThat(f.get()).isEqualTo(expected);
                } catch (ExecutionException e) {
                    assertThat(e.getCause())
                            .isInstanceOf(BusyException.class)
                            .hasMessageContaining("busy");
                    busy++;
                }
            }
            assertThat(busy).as("one worker and a queue of 2 cannot take 8 at once").isPositive();
        } finally {
            clients.shutdown();
        }
    }

    @Test
    void aWindowTooLargeForTheMachineIsRefusedBeforeAnythingRuns() {
        ModelCard huge =
                new ModelCard(
                        "huge",
                        1,
                        "unet",
                        Map.of(),
                        "w",
                        Map.of("background", 0, "x", 1),
                        new double[] {1, 1, 1},
                        IntensityWindow.ct(-57, 164),
                        new int[] {2048, 2048, 2048},
                        0.25,
                        4,
                        BlendMode.CONSTANT,
                        Map.of());
        assertThatThrownBy(() -> SegmentationPipeline.checkWindows(huge))
                .isInstanceOf(InferenceFailedException.class)
                .hasMessageContaining("2048x2048x2048")
                .hasMessageContaining("roi_size");
        SegmentationPipeline.checkWindows(
                new ModelCard(
                        "ok",
                        1,
                        "unet",
                        Map.of(),
                        "w",
                        Map.of("background", 0),
                        new double[] {1, 1, 1},
                        IntensityWindow.ct(-57, 164),
                        new int[] {160, 160, 160},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of()));
    }

    @Test
    void postProcessingOptionsRunAndKeepTheGrid() throws IOException {
        Path image = phantom("post", StorageOrder.RAS, null);
        Volume label =
                ImageIo.read(
                        infer(image, Map.of("largest_cc", true, "fill_holes", true))
                                .file()
                                .orElseThrow());
        assertThat(label.shape()).isEqualTo(ImageIo.read(image).shape());
        assertThat(task.info().config())
                .containsEntry("largest_cc", false)
                .containsEntry("fill_holes", false);
    }

    @Test
    void aModelWithoutWeightsSaysSo() throws IOException {
        SegmentationTask untrained = new SegmentationTask("other", "no weights", Map.of("x", 1)) {};
        untrained.open(context(Map.of()));
        try {
            assertThat(untrained.info().labels()).containsEntry("x", 1);
            assertThatThrownBy(
                            () ->
                                    untrained.infer(
                                            new InferenceRequest(
                                                    "other",
                                                    dir,
                                                    Optional.empty(),
                                                    Params.empty(),
                                                    Optional.empty(),
                                                    dir)))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("no trained weights");
        } finally {
            untrained.close();
        }
    }
}
