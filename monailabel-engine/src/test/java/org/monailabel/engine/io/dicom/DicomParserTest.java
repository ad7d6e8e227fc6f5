package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/** The parser on hand-built files: what it reads, and the malformed files it refuses. */
class DicomParserTest {
    static final String EXPLICIT = "1.2.840.10008.1.2.1";
    static final String IMPLICIT = "1.2.840.10008.1.2";
    static final String DEFLATED = "1.2.840.10008.1.2.1.99";

    private static DicomFile parse(byte[] file) throws InvalidImageException {
        return new DicomParser().parse(file);
    }

    /** A 3x2 signed 16-bit image with a two-level nested sequence of undefined lengths. */
    static byte[] sample(boolean explicit) {
        DicomBytes d = new DicomBytes(explicit);
        d.string(DicomTags.IMAGE_TYPE, "CS", "ORIGINAL\\PRIMARY ");
        d.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", -1);
        d.item(DicomTags.ITEM, -1);
        d.string(DicomTags.REFERENCED_SOP_INSTANCE_UID, "UI", "1.2.3");
        d.header(DicomTags.SOURCE_IMAGE_SEQUENCE, "SQ", -1);
        d.item(DicomTags.ITEM, -1).string(DicomTags.REFERENCED_SOP_INSTANCE_UID, "UI", "4.5");
        d.item(DicomTags.ITEM_DELIMITATION, 0).item(DicomTags.SEQUENCE_DELIMITATION, 0);
        d.item(DicomTags.ITEM_DELIMITATION, 0).item(DicomTags.SEQUENCE_DELIMITATION, 0);
        d.string(DicomTags.IMAGE_POSITION_PATIENT, "DS", " -1.5\\2e1\\+.25");
        d.string(DicomTags.INSTANCE_NUMBER, "IS", " 7 ");
        d.string(DicomTags.IMAGE_ORIENTATION_PATIENT, "DS", "1\\0\\0\\0\\0.6\\-0.8");
        d.string(DicomTags.SLICE_THICKNESS, "DS", "2.5");
        d.string(DicomTags.PIXEL_SPACING, "DS", "0.5\\0.75");
        d.string(DicomTags.RESCALE_SLOPE, "DS", "1.5");
        short[] values = {-32768, -1, 0, 1, 1000, 32767};
        var px = DicomBytes.le(12);
        for (short v : values) {
            px.putShort(v);
        }
        d.image(2, 3, 16, 1, px.array());
        return DicomBytes.file(explicit ? EXPLICIT : IMPLICIT, d.bytes());
    }

    @Test
    void readsExplicitImplicitAndDeflatedAlike() throws InvalidImageException {
        byte[] explicit = sample(true);
        byte[] dataset = Arrays.copyOfRange(explicit, dataStart(explicit), explicit.length);
        byte[] deflated = DicomBytes.file(DEFLATED, DicomBytes.deflate(dataset));
        for (byte[] file : new byte[][] {explicit, sample(false), deflated}) {
            DicomFile f = parse(file);
            DicomDataset ds = f.dataset();
            assertThat(ds.strings(DicomTags.IMAGE_TYPE)).containsExactly("ORIGINAL", "PRIMARY");
            assertThat(ds.doubles(DicomTags.IMAGE_POSITION_PATIENT))
                    .containsExactly(-1.5, 20.0, 0.25);
            assertThat(ds.intValue(DicomTags.INSTANCE_NUMBER)).hasValue(7);
            assertThat(ds.intValue(DicomTags.ROWS)).hasValue(2);
            var items = ds.sequence(DicomTags.REFERENCED_IMAGE_SEQUENCE);
            assertThat(items).hasSize(1);
            assertThat(items.get(0).string(DicomTags.REFERENCED_SOP_INSTANCE_UID))
                    .hasValue("1.2.3");
            assertThat(
                            items.get(0)
                                    .sequence(DicomTags.SOURCE_IMAGE_SEQUENCE)
                                    .get(0)
                                    .string(DicomTags.REFERENCED_SOP_INSTANCE_UID))
                    .hasValue("4.5");
            DicomPixels px = DicomPixels.of(f);
            assertThat(px.type()).isEqualTo(VoxelType.INT16);
            assertThat(
                            new int[] {
                                px.get(0, 0, 0), px.get(2, 0, 0), px.get(0, 1, 0), px.get(2, 1, 0)
                            })
                    .containsExactly(-32768, 0, 1, 32767);
        }
        assertThat(parse(deflated).transferSyntax())
                .isEqualTo(TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);
    }

    /** The offset just after the meta group of a file built by {@link DicomBytes#file}. */
    static int dataStart(byte[] file) {
        int groupLength = DicomBytes.le(4).put(file, 140, 4).getInt(0);
        return 144 + groupLength;
    }

    @Test
    void sequencesOfDefinedLengthAndEmptyItems() throws InvalidImageException {
        DicomBytes item =
                new DicomBytes(true).string(DicomTags.REFERENCED_SOP_INSTANCE_UID, "UI", "9");
        byte[] itemBytes = item.bytes();
        DicomBytes d = new DicomBytes(true);
        d.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 8 + itemBytes.length + 8);
        d.item(DicomTags.ITEM, itemBytes.length).raw(itemBytes);
        d.item(DicomTags.ITEM, 0);
        d.header(DicomTags.SOURCE_IMAGE_SEQUENCE, "SQ", 0);
        DicomDataset ds = parse(DicomBytes.file(EXPLICIT, d.bytes())).dataset();
        var items = ds.sequence(DicomTags.REFERENCED_IMAGE_SEQUENCE);
        assertThat(items).hasSize(2);
        assertThat(items.get(0).string(DicomTags.REFERENCED_SOP_INSTANCE_UID)).hasValue("9");
        assertThat(items.get(1).elements()).isEmpty();
        assertThat(ds.sequence(DicomTags.SOURCE_IMAGE_SEQUENCE)).isEmpty();
    }

    @Test
    void implicitUnknownTagsAreRawBytesAndUndefinedLengthUnIsASequence()
            throws InvalidImageException {
        DicomBytes d = new DicomBytes(false);
        d.element(0x00091010, "UN", new byte[] {1, 2, 3, 4});
        d.header(0x00091020, "UN", -1).item(DicomTags.ITEM, -1);
        d.string(DicomTags.PATIENT_ID, "LO", "X");
        d.item(DicomTags.ITEM_DELIMITATION, 0).item(DicomTags.SEQUENCE_DELIMITATION, 0);
        DicomDataset ds = parse(DicomBytes.file(IMPLICIT, d.bytes())).dataset();
        assertThat(ds.element(0x00091010).orElseThrow().vr()).isEqualTo("UN");
        assertThat(ds.element(0x00091010).orElseThrow().bytes()).containsExactly(1, 2, 3, 4);
        assertThat(ds.sequence(0x00091020).get(0).string(DicomTags.PATIENT_ID)).hasValue("X");
    }

    @Test
    void refusesFilesThatAreNotPart10() {
        assertRefused(new byte[100], "shorter than the 128-byte preamble");
        assertRefused(new byte[200], "no 'DICM' prefix");
        byte[] noSyntax = sample(true);
        // rename (0002,0010) to (0002,0011): the meta group then has no transfer syntax
        for (int i = 132; i < noSyntax.length - 4; i++) {
            if (noSyntax[i] == 2
                    && noSyntax[i + 1] == 0
                    && noSyntax[i + 2] == 0x10
                    && noSyntax[i + 3] == 0) {
                noSyntax[i + 2] = 0x11;
                break;
            }
        }
        assertRefused(noSyntax, "no transfer syntax (0002,0010)");
    }

    @Test
    void refusesUnsupportedSyntaxesNamingThem() {
        byte[] empty = new byte[0];
        assertRefused(
                DicomBytes.file("1.2.840.10008.1.2.2", empty),
                "1.2.840.10008.1.2.2 (Explicit VR Big Endian (retired)) is not supported",
                "Explicit VR Little Endian (1.2.840.10008.1.2.1)");
        assertRefused(
                DicomBytes.file("1.2.840.10008.1.2.4.50", empty),
                "1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1))");
        assertRefused(
                DicomBytes.file("1.2.840.10008.1.2.5", empty), "(RLE Lossless) is not supported");
        assertRefused(DicomBytes.file("1.2.3.4", empty), "1.2.3.4 (unknown transfer syntax)");
    }

    @Test
    void refusesLengthsBeyondTheFileOrOdd() {
        DicomBytes beyond = new DicomBytes(true).header(DicomTags.PATIENT_ID, "LO", 40);
        beyond.raw(new byte[10]);
        assertRefused(
                DicomBytes.file(EXPLICIT, beyond.bytes()),
                "(0010,0020) at byte",
                "value length of 40 but only 10 bytes remain in its file");
        DicomBytes huge = new DicomBytes(false).header(DicomTags.PIXEL_DATA, "OW", 0x7FFFFFF0L);
        assertRefused(DicomBytes.file(IMPLICIT, huge.bytes()), "value length of 2147483632");
        DicomBytes odd = new DicomBytes(true).element(DicomTags.PATIENT_ID, "LO", new byte[3]);
        assertRefused(DicomBytes.file(EXPLICIT, odd.bytes()), "odd value length (3)");
        DicomBytes undefined = new DicomBytes(true).header(DicomTags.PATIENT_ID, "LO", 0xFFFF);
        assertRefused(DicomBytes.file(EXPLICIT, undefined.bytes()), "value length of 65535");
        DicomBytes undefinedOb = new DicomBytes(true).header(0x00091010, "OB", -1);
        assertRefused(
                DicomBytes.file(EXPLICIT, undefinedOb.bytes()),
                "undefined length, allowed only for sequences");
        DicomBytes encapsulated = new DicomBytes(true).header(DicomTags.PIXEL_DATA, "OB", -1);
        assertRefused(DicomBytes.file(EXPLICIT, encapsulated.bytes()), "encapsulated");
        DicomBytes badVr = new DicomBytes(true).header(DicomTags.PATIENT_ID, "l0", 0);
        assertRefused(DicomBytes.file(EXPLICIT, badVr.bytes()), "invalid VR");
        byte[] truncated = sample(true);
        assertRefused(Arrays.copyOf(truncated, truncated.length - 3), "remain in its file");
    }

    @Test
    void refusesBrokenSequences() {
        DicomBytes stray = new DicomBytes(true).item(DicomTags.ITEM, 0);
        assertRefused(DicomBytes.file(EXPLICIT, stray.bytes()), "is outside a sequence");
        DicomBytes unterminated = new DicomBytes(true);
        unterminated.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", -1).item(DicomTags.ITEM, -1);
        unterminated.string(DicomTags.PATIENT_ID, "LO", "X");
        assertRefused(DicomBytes.file(EXPLICIT, unterminated.bytes()), "no item delimitation");
        DicomBytes open = new DicomBytes(true);
        open.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", -1).item(DicomTags.ITEM, 0);
        assertRefused(DicomBytes.file(EXPLICIT, open.bytes()), "is truncated");
        DicomBytes notItem = new DicomBytes(true);
        notItem.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 8).item(DicomTags.PATIENT_ID, 0);
        assertRefused(
                DicomBytes.file(EXPLICIT, notItem.bytes()),
                "holds (0010,0020) at byte",
                "where an item (FFFE,E000) belongs");
        DicomBytes itemTooLong = new DicomBytes(true);
        itemTooLong.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 16).item(DicomTags.ITEM, 16);
        itemTooLong.raw(new byte[8]).string(DicomTags.PATIENT_ID, "LO", "after");
        assertRefused(
                DicomBytes.file(EXPLICIT, itemTooLong.bytes()), "only 8 bytes remain in its item");
        DicomBytes delimited = new DicomBytes(true);
        delimited.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 8);
        delimited.item(DicomTags.SEQUENCE_DELIMITATION, 0);
        assertRefused(
                DicomBytes.file(EXPLICIT, delimited.bytes()), "defined length but a sequence");
        DicomBytes deep = new DicomBytes(true);
        for (int i = 0; i < DicomParser.MAX_DEPTH + 1; i++) {
            deep.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", -1).item(DicomTags.ITEM, -1);
        }
        assertRefused(DicomBytes.file(EXPLICIT, deep.bytes()), "nested more than 16 deep");
        DicomBytes twice = new DicomBytes(true);
        twice.string(DicomTags.PATIENT_ID, "LO", "A").string(DicomTags.PATIENT_ID, "LO", "B");
        assertRefused(DicomBytes.file(EXPLICIT, twice.bytes()), "(0010,0020) appears twice");
    }

    @Test
    void refusesCorruptOrTruncatedDeflate() {
        byte[] explicit = sample(true);
        byte[] dataset = Arrays.copyOfRange(explicit, dataStart(explicit), explicit.length);
        byte[] deflated = DicomBytes.deflate(dataset);
        assertRefused(
                DicomBytes.file(DEFLATED, Arrays.copyOf(deflated, deflated.length / 2)),
                "truncated");
        byte[] corrupt = deflated.clone();
        corrupt[0] = (byte) 0xFF;
        assertRefused(DicomBytes.file(DEFLATED, corrupt), "Corrupt deflate stream");
    }

    @Test
    void typedAccessorsCheckTheirValues() throws InvalidImageException {
        DicomBytes d = new DicomBytes(true);
        d.string(DicomTags.SLICE_THICKNESS, "DS", "NaN");
        d.string(DicomTags.INSTANCE_NUMBER, "IS", "1.5");
        d.string(DicomTags.PIXEL_SPACING, "DS", "0x10");
        d.element(DicomTags.ROWS, "US", new byte[] {1, 2, 3, 4});
        d.element(DicomTags.COLUMNS, "US", new byte[] {(byte) 0xFF, (byte) 0xFF});
        d.element(DicomTags.BITS_STORED, "US", new byte[] {1, 2, 3, 4, 5, 6});
        d.string(DicomTags.PATIENT_ID, "LO", "");
        d.string(DicomTags.SOP_INSTANCE_UID, "UI", "1.2.3");
        DicomDataset ds = parse(DicomBytes.file(EXPLICIT, d.bytes())).dataset();
        assertThatThrownBy(() -> ds.doubles(DicomTags.SLICE_THICKNESS))
                .hasMessageContaining("(0018,0050) (DS) is not a number: 'NaN'");
        assertThatThrownBy(() -> ds.ints(DicomTags.INSTANCE_NUMBER))
                .hasMessageContaining("is not a number: '1.5'");
        assertThatThrownBy(() -> ds.doubles(DicomTags.PIXEL_SPACING))
                .hasMessageContaining("'0x10'");
        assertThat(ds.ints(DicomTags.ROWS)).containsExactly(0x0201, 0x0403);
        assertThat(ds.intValue(DicomTags.COLUMNS)).hasValue(65535);
        assertThat(ds.ints(DicomTags.BITS_STORED)).hasSize(3);
        assertThat(ds.string(DicomTags.PATIENT_ID)).isEmpty();
        assertThat(ds.strings(DicomTags.PATIENT_ID)).isEmpty();
        assertThat(ds.string(DicomTags.SOP_INSTANCE_UID)).hasValue("1.2.3");
        assertThat(ds.string(DicomTags.MODALITY)).isEmpty();
        assertThat(ds.doubles(DicomTags.SLICE_THICKNESS + 1)).isEmpty();
        assertThatThrownBy(() -> ds.strings(DicomTags.ROWS)).hasMessageContaining("not text");
        assertThatThrownBy(() -> ds.sequence(DicomTags.PATIENT_ID))
                .hasMessageContaining("is not a sequence");
        DicomBytes odd = new DicomBytes(true).element(DicomTags.ROWS, "UL", new byte[] {1, 2});
        DicomDataset oddSet = parse(DicomBytes.file(EXPLICIT, odd.bytes())).dataset();
        assertThatThrownBy(() -> oddSet.ints(DicomTags.ROWS))
                .hasMessageContaining("2 bytes, not a multiple of 4");
    }

    @Test
    void pixelsCheckTheirDimensionsAgainstTheData() throws InvalidImageException {
        assertPixelsRefused(image(2, 3, 16, 0, new byte[10]), "holds 10 bytes", "need 12");
        assertPixelsRefused(image(2, 3, 16, 0, new byte[14]), "holds 14 bytes");
        assertPixelsRefused(
                image(20000, 20000, 16, 0, new byte[12]), "holds 12 bytes", "need 800000000");
        assertPixelsRefused(
                image(65535, 65535, 16, 0, new byte[12]), "65535x65535x1 pixels exceeds the limit");
        assertPixelsRefused(image(0, 3, 16, 0, new byte[0]), "Rows (0028,0010) is 0");
        assertPixelsRefused(image(2, 3, 32, 0, new byte[24]), "BitsAllocated 32 is not supported");
        assertPixelsRefused(image(2, 3, 16, 2, new byte[12]), "PixelRepresentation is 2");
        DicomBytes mono1 = new DicomBytes(true);
        mono1.string(DicomTags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME1");
        assertPixelsRefused(
                DicomBytes.file(EXPLICIT, mono1.bytes()), "'MONOCHROME1'", "not supported yet");
        DicomBytes noPixels = new DicomBytes(true);
        noPixels.string(DicomTags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        noPixels.us(DicomTags.ROWS, 1).us(DicomTags.COLUMNS, 1).us(DicomTags.BITS_ALLOCATED, 8);
        noPixels.us(DicomTags.PIXEL_REPRESENTATION, 0);
        assertPixelsRefused(DicomBytes.file(EXPLICIT, noPixels.bytes()), "no PixelData");
        // an odd number of 8-bit pixels comes with one pad byte
        DicomPixels odd = DicomPixels.of(parse(image(1, 3, 8, 1, new byte[] {-128, 127, 5, 0})));
        assertThat(odd.type()).isEqualTo(VoxelType.INT8);
        assertThat(new int[] {odd.get(0, 0, 0), odd.get(1, 0, 0), odd.get(2, 0, 0)})
                .containsExactly(-128, 127, 5);
    }

    @Test
    void bitsAboveBitsStoredAreMaskedOrSignExtended() throws InvalidImageException {
        for (int representation = 0; representation < 2; representation++) {
            DicomBytes d = new DicomBytes(true);
            d.string(DicomTags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
            d.us(DicomTags.ROWS, 1).us(DicomTags.COLUMNS, 2).us(DicomTags.BITS_ALLOCATED, 16);
            d.us(DicomTags.BITS_STORED, 12).us(DicomTags.PIXEL_REPRESENTATION, representation);
            d.element(DicomTags.PIXEL_DATA, "OW", new byte[] {(byte) 0xFF, (byte) 0xFF, 5, 0x70});
            DicomPixels px = DicomPixels.of(parse(DicomBytes.file(EXPLICIT, d.bytes())));
            if (representation == 0) {
                assertThat(px.get(0, 0, 0)).isEqualTo(0xFFF);
                assertThat(px.get(1, 0, 0)).isEqualTo(5);
            } else {
                assertThat(px.get(0, 0, 0)).isEqualTo(-1);
                assertThat(px.get(1, 0, 0)).isEqualTo(5);
            }
        }
    }

    private static byte[] image(int rows, int columns, int bits, int rep, byte[] pixels) {
        return DicomBytes.file(
                EXPLICIT, new DicomBytes(true).image(rows, columns, bits, rep, pixels).bytes());
    }

    private static void assertRefused(byte[] file, String... messageParts) {
        assertThatThrownBy(() -> parse(file))
                .isInstanceOf(InvalidImageException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    }

    private static void assertPixelsRefused(byte[] file, String... messageParts) {
        assertThatThrownBy(() -> DicomPixels.of(parse(file)))
                .isInstanceOf(InvalidImageException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    }
}
