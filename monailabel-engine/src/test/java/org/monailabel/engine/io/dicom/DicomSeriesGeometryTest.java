package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/** {@link DicomSeries} on hand-built slices: single slices, kept types, tilted stacks. */
class DicomSeriesGeometryTest {
    private static DicomFile slice(double[] position, String thickness, byte[] pixels)
            throws InvalidImageException {
        DicomBytes d = new DicomBytes(true);
        d.string(DicomTags.SERIES_INSTANCE_UID, "UI", "1.2.3");
        d.string(DicomTags.IMAGE_POSITION_PATIENT, "DS", ds(position));
        d.string(DicomTags.IMAGE_ORIENTATION_PATIENT, "DS", "1\\0\\0\\0\\1\\0");
        d.string(DicomTags.PIXEL_SPACING, "DS", "0.5\\0.25");
        if (thickness != null) {
            d.string(DicomTags.SLICE_THICKNESS, "DS", thickness);
        }
        d.image(1, 2, 8, 0, pixels);
        return new DicomParser().parse(DicomBytes.file(DicomParserTest.EXPLICIT, d.bytes()));
    }

    private static String ds(double[] v) {
        return String.format(Locale.ROOT, "%s\\%s\\%s", v[0], v[1], v[2]);
    }

    @Test
    void aSingleSliceTakesItsThicknessAndKeepsItsType() throws InvalidImageException {
        Volume v =
                new DicomSeries()
                        .assemble(
                                List.of(
                                        slice(
                                                new double[] {10, 20, 30},
                                                "3",
                                                new byte[] {7, (byte) 200})));
        assertThat(v.type()).isEqualTo(VoxelType.UINT8);
        assertThat(v.shape()).containsExactly(2, 1, 1);
        assertThat(v.get(0, 0, 0)).isEqualTo(7);
        assertThat(v.get(1, 0, 0)).isEqualTo(200);
        // LPS columns (0.25,0,0), (0,0.5,0), (0,0,3), origin (10,20,30), flipped to RAS
        Affine expected = Affine.of(-0.25, 0, 0, -10, 0, -0.5, 0, -20, 0, 0, 3, 30);
        assertThat(v.affine().approximatelyEquals(expected, 1e-12)).as("%s", v.affine()).isTrue();
    }

    @Test
    void keepsAGantryTiltedStackOnItsShearedGrid() throws InvalidImageException {
        List<DicomFile> tilted = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            tilted.add(slice(new double[] {0, 0.5 * k, 2.0 * k}, null, new byte[] {1, 2}));
        }
        Volume v = new DicomSeries().assemble(tilted);
        // the third column is the step between slice positions, (0, 0.5, 2) in LPS
        double[] origin = v.affine().apply(0, 0, 0);
        double[] next = v.affine().apply(0, 0, 1);
        assertThat(new double[] {next[0] - origin[0], next[1] - origin[1], next[2] - origin[2]})
                .containsExactly(
                        new double[] {0, -0.5, 2}, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void refusesUnevenInPlaneOffsets() throws InvalidImageException {
        List<DicomFile> uneven = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            uneven.add(slice(new double[] {0, k == 2 ? 0.4 : 0, 2.0 * k}, null, new byte[] {1, 2}));
        }
        assertThatThrownBy(() -> new DicomSeries().assemble(uneven))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("uneven");
    }

    @Test
    void readsAStackInReverseFileOrder() throws InvalidImageException {
        List<DicomFile> files = new ArrayList<>();
        for (int k = 3; k >= 0; k--) {
            files.add(slice(new double[] {0, 0, -1.5 * k}, null, new byte[] {(byte) k, 0}));
        }
        Volume v = new DicomSeries().assemble(files);
        // sorted along +z: the slice at z = -4.5 (k = 3) comes first
        assertThat(new double[] {v.get(0, 0, 0), v.get(0, 0, 1), v.get(0, 0, 3)})
                .containsExactly(3, 2, 0);
        assertThat(v.affine().get(2, 2)).isEqualTo(1.5);
        assertThat(v.affine().get(2, 3)).isEqualTo(-4.5);
    }
}
