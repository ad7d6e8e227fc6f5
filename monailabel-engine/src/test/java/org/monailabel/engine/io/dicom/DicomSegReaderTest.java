package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/**
 * {@link DicomSegReader} on SEGs damaged one attribute at a time (made with our writer, then
 * altered); reading real SEGs is checked against pydicom in {@link DicomSegInteropTest}.
 */
class DicomSegReaderTest {
    static final ReferencedSeries SOURCE = DicomSegWriterTest.source("1.2.5");

    static DicomWriter.Dataset seg() {
        Volume label = Volume.allocate(VoxelType.UINT8, DicomSegWriterTest.AFFINE, 5, 4, 3);
        label.set(label.index(1, 2, 1), 1);
        label.set(label.index(4, 3, 2), 2);
        return new DicomSegWriter()
                .dataset(label, SOURCE, List.of(Segment.of(1, "a"), Segment.of(2, "b")));
    }

    static void assertRefused(Consumer<DicomWriter.Dataset> damage, String message) {
        DicomWriter.Dataset ds = seg();
        damage.accept(ds);
        assertThatThrownBy(
                        () ->
                                new DicomSegReader()
                                        .read(
                                                new DicomParser().parse(DicomWriter.toBytes(ds)),
                                                SOURCE.grid(),
                                                SOURCE))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(message);
    }

    @Test
    void readsTheUndamagedSeg() throws InvalidImageException {
        DicomSegReader.Result r =
                new DicomSegReader()
                        .read(
                                new DicomParser().parse(DicomWriter.toBytes(seg())),
                                SOURCE.grid(),
                                SOURCE);
        Volume v = r.labels();
        assertThat(v.get(1, 2, 1)).isEqualTo(1);
        assertThat(v.get(4, 3, 2)).isEqualTo(2);
        double sum = 0;
        for (int i = 0; i < v.voxelCount(); i++) {
            sum += v.get(i);
        }
        assertThat(sum).isEqualTo(3);
    }

    @Test
    void distrustsEveryCount() {
        assertRefused(
                ds -> ds.putInts(DicomTags.BITS_ALLOCATED, "US", 8),
                "BitsAllocated 8; 1 is required");
        assertRefused(ds -> ds.putInts(DicomTags.ROWS, "US", 5), "frames are 5x5 (columns x rows)");
        assertRefused(
                ds -> ds.putBytes(DicomTags.PIXEL_DATA, "OB", new byte[2]),
                "PixelData holds 2 bytes");
        assertRefused(
                ds -> ds.putBytes(DicomTags.PIXEL_DATA, "OB", new byte[8]),
                "PixelData holds 8 bytes but 2 frames of 5x4 1-bit pixels need 6");
        assertRefused(ds -> ds.remove(DicomTags.PIXEL_DATA), "no PixelData");
        assertRefused(ds -> ds.putInts(DicomTags.NUMBER_OF_FRAMES, "IS", 0), "NumberOfFrames is 0");
        assertRefused(
                ds -> ds.putString(DicomTags.SEGMENTATION_TYPE, "CS", "LABELMAP"),
                "only BINARY and FRACTIONAL");
        assertRefused(
                ds ->
                        ds.putString(DicomTags.SEGMENTATION_TYPE, "CS", "FRACTIONAL")
                                .putInts(DicomTags.BITS_ALLOCATED, "US", 8),
                "no MaximumFractionalValue");
        assertRefused(
                ds -> ds.putString(DicomTags.SOP_CLASS_UID, "UI", "1.2.840.10008.5.1.4.1.1.2"),
                "Not a DICOM Segmentation");
        assertRefused(
                ds ->
                        ds.putSequence(
                                DicomTags.SEGMENT_SEQUENCE,
                                List.of(
                                        new DicomWriter.Dataset()
                                                .putInts(DicomTags.SEGMENT_NUMBER, "US", 1))),
                "frame 2 belongs to segment 2, which SegmentSequence does not describe");
        assertRefused(
                ds -> ds.putSequence(DicomTags.SEGMENT_SEQUENCE, List.of()), "no SegmentSequence");
        assertRefused(
                ds ->
                        ds.putSequence(
                                DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
                                List.of(new DicomWriter.Dataset(), new DicomWriter.Dataset())),
                "SharedFunctionalGroupsSequence has 2 items");
        assertRefused(
                ds ->
                        ds.putSequence(
                                DicomTags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
                                List.of(new DicomWriter.Dataset(), new DicomWriter.Dataset())),
                "frame 1 has no ReferencedSegmentNumber");
        assertRefused(
                ds -> ds.putString(DicomTags.FRAME_OF_REFERENCE_UID, "UI", "1.2.6"),
                "FrameOfReferenceUID 1.2.6 is not its image's");
    }
}
