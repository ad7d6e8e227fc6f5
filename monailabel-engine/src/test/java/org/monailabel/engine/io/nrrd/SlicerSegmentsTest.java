package org.monailabel.engine.io.nrrd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.TestVolumes;
import org.monailabel.engine.io.WriteOptions;

class SlicerSegmentsTest {
    private static final String LAYERED =
            """
            NRRD0004
            # Complete NRRD file format specification at:
            # http://teem.sourceforge.net/nrrd/format.html
            type: unsigned char
            dimension: 4
            space: left-posterior-superior
            sizes: 2 3 2 1
            space directions: none (1,0,0) (0,1,0) (0,0,1)
            kinds: list domain domain domain
            encoding: gzip
            space origin: (0,0,0)
            Segment0_Color:=0.9 0.5 0.4
            Segment0_ID:=Segment_1
            Segment0_LabelValue:=1
            Segment0_Layer:=0
            Segment0_Name:=liver
            Segment1_ID:=Segment_2
            Segment1_LabelValue:=1
            Segment1_Layer:=1
            Segment1_Name:=tumor
            Segment2_ID:=Segment_3
            Segment2_LabelValue:=2
            Segment2_Layer:=0
            Segment2_Name:=vessel
            Segmentation_MasterRepresentation:=Binary labelmap

            """;

    @TempDir Path dir;

    @Test
    void mergesOverlappingLayersIntoOneLabelMapWithNames() throws IOException {
        // voxel by voxel: (layer 0, layer 1)
        byte[] data = NrrdFiles.bytes(1, 0, 1, 1, 2, 0, 0, 1, 0, 0, 2, 1);
        Path file = dir.resolve("layers.seg.nrrd");
        Files.write(file, NrrdFiles.file(LAYERED, NrrdFiles.gzip(data)));

        Volume labels = ImageIo.read(file);

        assertThat(labels.type()).isEqualTo(VoxelType.UINT8);
        assertThat(labels.shape()).containsExactly(3, 2, 1);
        // label values 1, 1, 2 are not unique across layers, so segments are numbered 1..3
        assertThat(labels.toFloatArray()).containsExactly(1, 2, 3, 2, 0, 2);
        assertThat(labels.metadata().get(SlicerSegments.LABELS))
                .isEqualTo(Map.of("liver", 1, "tumor", 2, "vessel", 3));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> segments =
                (List<Map<String, Object>>) labels.metadata().get(SlicerSegments.SEGMENTS);
        assertThat(segments.get(0))
                .containsEntry("id", "Segment_1")
                .containsEntry("color", List.of(0.9, 0.5, 0.4));
        assertThat(labels.metadata()).containsEntry("nrrd.layers", 2);
    }

    @Test
    void writesSingleLayerSegmentationSlicerCanOpenAndReadsItBack() throws IOException {
        Volume labels = Volume.allocate(VoxelType.UINT8, TestVolumes.oblique(), 4, 3, 2);
        labels.set(0, 1);
        labels.set(5, 3);
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("spleen", 1);
        names.put("liver", 3);
        labels = labels.withMetadata(Map.of(SlicerSegments.LABELS, names));
        Path file = dir.resolve("label.seg.nrrd");

        ImageIo.write(labels, file, WriteOptions.defaults());

        String header = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(header)
                .contains(
                        "dimension: 3\n",
                        "kinds: domain domain domain\n",
                        "Segment0_Name:=spleen\n",
                        "Segment0_LabelValue:=1\n",
                        "Segment1_Name:=liver\n",
                        "Segment1_LabelValue:=3\n",
                        "Segment0_Layer:=0\n",
                        "Segment1_Extent:=0 3 0 2 0 1\n",
                        "Segmentation_MasterRepresentation:=Binary labelmap\n");
        Volume back = ImageIo.read(file);
        assertThat(back.data()).isEqualTo(labels.data());
        assertThat(back.affine().approximatelyEquals(labels.affine(), 1e-12)).isTrue();
        assertThat(back.metadata().get(SlicerSegments.LABELS))
                .isEqualTo(Map.of("spleen", 1, "liver", 3));
    }

    @Test
    void namesUnlabelledValuesWhenNoLabelsMetadata() throws IOException {
        Volume labels = Volume.allocate(VoxelType.INT16, TestVolumes.oblique(), 3, 3, 3);
        labels.set(4, 7);
        Path file = dir.resolve("unnamed.seg.nrrd");
        ImageIo.write(labels, file, WriteOptions.defaults());
        assertThat(ImageIo.read(file).metadata().get(SlicerSegments.LABELS))
                .isEqualTo(Map.of("Segment_7", 7));
    }
}
