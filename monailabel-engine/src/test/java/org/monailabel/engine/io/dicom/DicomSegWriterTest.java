package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * {@link DicomSegWriter}'s refusals and {@link Segment}'s defaults; what the SEGs hold is checked
 * by pydicom and dcmdump in {@link DicomSegInteropTest}.
 */
class DicomSegWriterTest {
    static final Affine AFFINE =
            Affine.of(-0.8, 0, 0, 10, 0, -0.6, 0, 20, 0, 0, 2, -30, 0, 0, 0, 1);

    static ReferencedSeries source(String frameOfReference) {
        return new ReferencedSeries(
                "1.2.3",
                "1.2.3.4",
                frameOfReference,
                "1.2.840.10008.5.1.4.1.1.2",
                List.of("1.2.3.4.1", "1.2.3.4.2", "1.2.3.4.3"),
                ReferencedSeries.PatientStudy.empty(),
                new VolumeGrid(5, 4, 3, AFFINE));
    }

    static Volume label(Affine affine, VoxelType type, int... shape) {
        Volume v = Volume.allocate(type, affine, shape);
        v.set(0, 1);
        return v;
    }

    @Test
    void refusesALabelOffTheSourceGrid() {
        DicomSegWriter w = new DicomSegWriter();
        List<Segment> segments = List.of(Segment.of(1, "liver"));
        assertThatThrownBy(
                        () ->
                                w.toBytes(
                                        label(AFFINE, VoxelType.UINT8, 5, 4, 2),
                                        source("1.2.5"),
                                        segments))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not lie on the grid of series 1.2.3.4")
                .hasMessageContaining("resample");
        Affine shifted = AFFINE.withTranslation(10.1, 20, -30); // 0.1 mm, an eighth of a voxel
        assertThatThrownBy(
                        () ->
                                w.toBytes(
                                        label(shifted, VoxelType.UINT8, 5, 4, 3),
                                        source("1.2.5"),
                                        segments))
                .hasMessageContaining("does not lie on the grid");
        // a float32 round trip of the affine is within tolerance
        Affine rounded = AFFINE.withTranslation(10 + 1e-6, 20, -30);
        assertThat(w.toBytes(label(rounded, VoxelType.UINT8, 5, 4, 3), source("1.2.5"), segments))
                .isNotEmpty();
    }

    @Test
    void refusesWhatASegCannotHold() {
        DicomSegWriter w = new DicomSegWriter();
        Volume ok = label(AFFINE, VoxelType.INT16, 5, 4, 3);
        assertThatThrownBy(
                        () ->
                                w.toBytes(
                                        label(AFFINE, VoxelType.FLOAT32, 5, 4, 3),
                                        source("1.2.5"),
                                        List.of(Segment.of(1, "a"))))
                .hasMessageContaining("integer label volume, not FLOAT32");
        assertThatThrownBy(() -> w.toBytes(ok, source(""), List.of(Segment.of(1, "a"))))
                .hasMessageContaining("no FrameOfReferenceUID");
        assertThatThrownBy(() -> w.toBytes(ok, source("1.2.5"), List.of()))
                .hasMessageContaining("at least one segment");
        assertThatThrownBy(
                        () ->
                                w.toBytes(
                                        ok,
                                        source("1.2.5"),
                                        List.of(Segment.of(1, "a"), Segment.of(1, "b"))))
                .hasMessageContaining("Two segments stand for label value 1");
        Affine sheared = Affine.of(-0.8, 0.3, 0, 10, 0, -0.6, 0, 20, 0, 0, 2, -30, 0, 0, 0, 1);
        ReferencedSeries shearedSource =
                new ReferencedSeries(
                        "1.2.3",
                        "1.2.3.4",
                        "1.2.5",
                        "1.2.840.10008.5.1.4.1.1.2",
                        List.of("1.2.3.4.1", "1.2.3.4.2", "1.2.3.4.3"),
                        ReferencedSeries.PatientStudy.empty(),
                        new VolumeGrid(5, 4, 3, sheared));
        assertThatThrownBy(
                        () ->
                                w.toBytes(
                                        label(sheared, VoxelType.UINT8, 5, 4, 3),
                                        shearedSource,
                                        List.of(Segment.of(1, "a"))))
                .hasMessageContaining("not perpendicular");
    }

    @Test
    void copiesAnInvalidSourceValueAsEmpty() throws Exception {
        ReferencedSeries.PatientStudy ps =
                new ReferencedSeries.PatientStudy(
                        "Doe^J", "P", "1970-01-01", "female", "", "", "", "", "", "", "");
        ReferencedSeries s =
                new ReferencedSeries(
                        "1.2.3",
                        "1.2.3.4",
                        "1.2.5",
                        "1.2.840.10008.5.1.4.1.1.2",
                        List.of("1.2.3.4.1", "1.2.3.4.2", "1.2.3.4.3"),
                        ps,
                        new VolumeGrid(5, 4, 3, AFFINE));
        byte[] seg =
                new DicomSegWriter()
                        .toBytes(
                                label(AFFINE, VoxelType.UINT8, 5, 4, 3),
                                s,
                                List.of(Segment.of(1, "a")));
        DicomDataset ds = new DicomParser().parse(seg).dataset();
        assertThat(ds.string(DicomTags.PATIENT_NAME)).hasValue("Doe^J");
        assertThat(ds.contains(DicomTags.PATIENT_BIRTH_DATE)).isTrue();
        assertThat(ds.string(DicomTags.PATIENT_BIRTH_DATE)).isEmpty();
        assertThat(ds.string(DicomTags.PATIENT_SEX)).isEmpty();
    }

    @Test
    void segmentDefaultsNameKnownStructures() {
        assertThat(Segment.of(1, "Spleen").type())
                .isEqualTo(new Segment.Code("78961009", "SCT", "Spleen"));
        assertThat(Segment.of(1, "kidney_left").type().value()).isEqualTo("18639004");
        assertThat(Segment.of(1, "Right Kidney").type().value()).isEqualTo("9846003");
        assertThat(Segment.of(1, "tumour").category())
                .isEqualTo(Segment.MORPHOLOGICALLY_ABNORMAL_STRUCTURE);
        assertThat(Segment.of(1, "lesion").type()).isEqualTo(Segment.NEOPLASM);
        Segment other = Segment.of(4, "something else");
        assertThat(other.category()).isEqualTo(Segment.ANATOMICAL_STRUCTURE_CATEGORY);
        assertThat(other.type()).isEqualTo(Segment.ANATOMICAL_STRUCTURE);
        assertThat(other.algorithmType()).isEqualTo(Segment.AlgorithmType.AUTOMATIC);
        assertThatThrownBy(() -> Segment.of(0, "background")).hasMessageContaining("background");
        assertThatThrownBy(
                        () -> Segment.of(1, "x").withAlgorithm(Segment.AlgorithmType.AUTOMATIC, ""))
                .hasMessageContaining("needs its name");
    }

    @Test
    void cieLabOfWhiteAndBlackIsTheStandardsScale() {
        // PS3.3 C.10.7.1.1: a* = b* = 0 is 0x8080
        assertThat(CieLab.toDicom(0xFFFFFF)).containsExactly(65535, 0x8080, 0x8080);
        assertThat(CieLab.toDicom(0x000000)).containsExactly(0, 0x8080, 0x8080);
        for (int rgb : new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x2040C0, 0x80AE80, 0x123456}) {
            assertThat(CieLab.toRgb(CieLab.toDicom(rgb))).isEqualTo(rgb);
        }
    }
}
