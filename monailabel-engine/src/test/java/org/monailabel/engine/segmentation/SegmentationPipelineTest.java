package org.monailabel.engine.segmentation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.transform.Grid;
import org.monailabel.testing.Fixtures;
import org.monailabel.testing.Floats;

@Tag("engine")
class SegmentationPipelineTest {
    /**
     * The slab-by-slab upload to the device gives the same input as the array path MONAI's oracle
     * checks.
     */
    @ParameterizedTest
    @ValueSource(ints = {1 << 22, 6032 * 7, 100})
    void theDeviceInputEqualsTheCheckedPreprocessingWhateverTheSlabSize(int chunkValues)
            throws IOException {
        Volume source = ImageIo.read(Fixtures.nifti("synth_ct_64x64x48.nii.gz"));
        ModelCard card =
                new ModelCard(
                        "m",
                        0,
                        "unet",
                        Map.of(),
                        "w",
                        Map.of("background", 0),
                        new double[] {1, 1, 1},
                        IntensityWindow.ct(-57, 164),
                        new int[] {96, 96, 96},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of());
        float[] expected = SegmentationPipeline.prepare(source, card).input();
        Grid grid = SegmentationPipeline.gridOf(source, card);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray tensor =
                    SegmentationPipeline.toDevice(
                            source, grid, card.intensity(), manager, chunkValues);
            Floats.assertClose(tensor.toFloatArray(), expected, 1e-6);
        }
    }
}
