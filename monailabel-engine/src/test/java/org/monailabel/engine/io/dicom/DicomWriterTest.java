package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.io.NibabelProcess;

/**
 * {@link DicomWriter}: a dataset of every VR the writer supports (odd lengths that need padding,
 * empty values, nested and empty sequences, 2- and 4-byte length VRs) is written and read back by
 * our {@link DicomParser}, by pydicom ({@code interop/pydicom_read_dataset.py}, strict: any warning
 * fails it) and by dcmtk's dcmdump, which must exit 0 without a warning or error. The expected
 * values are the ones put, never values read back by our own parser.
 */
class DicomWriterTest {
    @TempDir Path dir;

    private static final String SEG = "1.2.840.10008.5.1.4.1.1.66.4";
    private static final int PRIVATE_CREATOR = 0x00090010;

    /** One attribute of each kind, and the JSON pydicom_read_dataset.py must print for it. */
    private static final class Sample {
        final DicomWriter.Dataset ds = new DicomWriter.Dataset();
        final JsonObject want = new JsonObject();

        Sample text(int tag, String vr, String... values) {
            ds.putString(tag, vr, values);
            JsonArray a = new JsonArray();
            for (String v : values) {
                if (!v.isEmpty()) {
                    a.add(v);
                }
            }
            want.add(key(tag), element(vr, a));
            return this;
        }

        Sample ints(int tag, String vr, int... values) {
            ds.putInts(tag, vr, values);
            JsonArray a = new JsonArray();
            for (int v : values) {
                if ("IS".equals(vr)) {
                    a.add(Integer.toString(v));
                } else if ("AT".equals(vr) || "UL".equals(vr)) {
                    a.add(Integer.toUnsignedLong(v));
                } else {
                    a.add(v);
                }
            }
            want.add(key(tag), element(vr, a));
            return this;
        }

        Sample doubles(int tag, String vr, String[] ds, double... values) {
            this.ds.putDoubles(tag, vr, values);
            JsonArray a = new JsonArray();
            for (int i = 0; i < values.length; i++) {
                if ("DS".equals(vr)) {
                    a.add(ds[i]);
                } else {
                    a.add(values[i]);
                }
            }
            want.add(key(tag), element(vr, a));
            return this;
        }

        Sample bytes(int tag, String vr, byte[] value, String paddedHex) {
            ds.putBytes(tag, vr, value);
            JsonObject e = new JsonObject();
            e.addProperty("vr", vr);
            e.addProperty("hex", paddedHex);
            want.add(key(tag), e);
            return this;
        }

        Sample sequence(int tag, Sample... items) {
            ds.putSequence(tag, Stream.of(items).map(s -> s.ds).toList());
            JsonObject e = new JsonObject();
            e.addProperty("vr", "SQ");
            JsonArray a = new JsonArray();
            for (Sample s : items) {
                a.add(s.want);
            }
            e.add("items", a);
            want.add(key(tag), e);
            return this;
        }

        private static JsonObject element(String vr, JsonArray values) {
            JsonObject e = new JsonObject();
            e.addProperty("vr", vr);
            e.add("values", values);
            return e;
        }
    }

    static String key(int tag) {
        return String.format("%08X", tag);
    }

    private static Sample sample() {
        Sample code =
                new Sample()
                        .text(DicomTags.CODE_VALUE, "SH", "123037004")
                        .text(DicomTags.CODING_SCHEME_DESIGNATOR, "SH", "SCT")
                        .text(DicomTags.CODE_MEANING, "LO", "Anatomical Structure");
        Sample segment1 =
                new Sample()
                        .ints(DicomTags.SEGMENT_NUMBER, "US", 1)
                        .text(DicomTags.SEGMENT_LABEL, "LO", "spleen")
                        .text(DicomTags.SEGMENT_DESCRIPTION, "ST", "line one\r\nline two")
                        .ints(DicomTags.RECOMMENDED_DISPLAY_CIELAB_VALUE, "US", 65535, 0, 32768)
                        .sequence(DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE, code);
        Sample segment2 =
                new Sample()
                        .ints(DicomTags.SEGMENT_NUMBER, "US", 2)
                        .sequence(DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE);
        Sample dimension =
                new Sample()
                        .ints(
                                DicomTags.DIMENSION_INDEX_POINTER,
                                "AT",
                                DicomTags.REFERENCED_SEGMENT_NUMBER)
                        .ints(
                                DicomTags.FUNCTIONAL_GROUP_POINTER,
                                "AT",
                                DicomTags.SEGMENT_IDENTIFICATION_SEQUENCE);
        Sample frame =
                new Sample().ints(DicomTags.DIMENSION_INDEX_VALUES, "UL", 1, Integer.MAX_VALUE);
        return new Sample()
                .text(DicomTags.SPECIFIC_CHARACTER_SET, "CS", "ISO_IR 100")
                .text(DicomTags.IMAGE_TYPE, "CS", "DERIVED", "PRIMARY")
                .text(DicomTags.SOP_CLASS_UID, "UI", SEG)
                .text(DicomTags.SOP_INSTANCE_UID, "UI", "2.25.123456789")
                .text(DicomTags.STUDY_DATE, "DA", "20240131")
                .text(DicomTags.STUDY_TIME, "TM", "101112.25")
                .text(DicomTags.ACCESSION_NUMBER, "SH")
                .text(DicomTags.MODALITY, "CS", "SEG")
                .text(DicomTags.REFERRING_PHYSICIAN_NAME, "PN", "")
                .text(DicomTags.PATIENT_NAME, "PN", "Doe^J\u00e4n")
                .text(DicomTags.PATIENT_ID, "LO", "ABC")
                .doubles(DicomTags.SLICE_THICKNESS, "DS", new String[] {"2.5"}, 2.5)
                .text(DicomTags.STUDY_INSTANCE_UID, "UI", "1.2.3.4.5")
                .ints(DicomTags.INSTANCE_NUMBER, "IS", -7)
                .doubles(
                        DicomTags.IMAGE_POSITION_PATIENT,
                        "DS",
                        new String[] {"-100.25", "1E20", "-1.23456789E-20"},
                        -100.25,
                        1e20,
                        -1.23456789e-20)
                .doubles(
                        DicomTags.PIXEL_SPACING,
                        "DS",
                        new String[] {"0.33333333333333", "1.23456789012E-4"},
                        1.0 / 3,
                        0.000123456789012)
                .ints(DicomTags.ROWS, "US", 13)
                .ints(DicomTags.COLUMNS, "US", 11)
                .sequence(DicomTags.SEGMENT_SEQUENCE, segment1, segment2)
                .sequence(DicomTags.DIMENSION_INDEX_SEQUENCE, dimension)
                .sequence(
                        DicomTags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
                        new Sample().sequence(DicomTags.FRAME_CONTENT_SEQUENCE, frame))
                .sequence(DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE, new Sample())
                .text(PRIVATE_CREATOR, "LO", "MONAILABEL TEST")
                .text(0x00091001, "UT", "unlimited text")
                .text(0x00091002, "UC", "a", "bc")
                .text(0x00091003, "UR", "http://example.org/x")
                .text(0x00091004, "LT", "long text")
                .ints(0x00091005, "SS", -32768, 32767)
                .ints(0x00091006, "SL", Integer.MIN_VALUE)
                .doubles(0x00091007, "FL", null, 0.5, -2.25)
                .doubles(0x00091008, "FD", null, 1.0 / 3)
                .bytes(0x00091009, "OW", new byte[] {1, 2, 3, 4}, "01020304")
                .bytes(0x0009100A, "OF", new byte[] {0, 0, (byte) 0x80, 0x3F}, "0000803f")
                .bytes(0x0009100B, "OD", new byte[8], "0000000000000000")
                .bytes(0x0009100C, "OL", new byte[] {9, 8, 7, 6}, "09080706")
                .bytes(0x0009100D, "UN", new byte[] {5, 6, 7}, "050607" + "00")
                .bytes(DicomTags.PIXEL_DATA, "OB", new byte[] {1, 2, 3, 4, 5}, "0102030405" + "00");
    }

    @Test
    void ourParserReadsWhatWasPut() throws IOException {
        byte[] bytes = DicomWriter.toBytes(sample().ds);
        assertThat(new String(bytes, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        for (int i = 0; i < 128; i++) {
            assertThat(bytes[i]).as("preamble byte %d", i).isZero();
        }
        DicomFile file = new DicomParser().parse(bytes);
        assertThat(file.transferSyntax()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        DicomDataset meta = file.meta();
        assertThat(meta.string(DicomTags.MEDIA_STORAGE_SOP_CLASS_UID)).hasValue(SEG);
        assertThat(meta.string(DicomTags.MEDIA_STORAGE_SOP_INSTANCE_UID))
                .hasValue("2.25.123456789");
        assertThat(meta.string(DicomTags.IMPLEMENTATION_CLASS_UID))
                .hasValue(DicomWriter.IMPLEMENTATION_CLASS_UID);
        // the group length counts the meta elements after it: the dataset starts right there
        int groupLength = meta.intValue(DicomTags.FILE_META_INFORMATION_GROUP_LENGTH).orElseThrow();
        int datasetStart = 128 + 4 + 12 + groupLength;
        assertThat(bytes[datasetStart] & 0xFF).isEqualTo(0x08); // (0008,0005) little endian
        assertThat(bytes[datasetStart + 2] & 0xFF).isEqualTo(0x05);

        DicomDataset ds = file.dataset();
        assertThat(ds.strings(DicomTags.IMAGE_TYPE)).containsExactly("DERIVED", "PRIMARY");
        assertThat(ds.string(DicomTags.PATIENT_NAME)).hasValue("Doe^J\u00e4n");
        assertThat(ds.string(DicomTags.STUDY_INSTANCE_UID)).hasValue("1.2.3.4.5");
        assertThat(ds.element(DicomTags.STUDY_INSTANCE_UID).orElseThrow().bytes())
                .endsWith((byte) 0); // UI pads with NUL
        assertThat(ds.element(DicomTags.PATIENT_ID).orElseThrow().bytes()).endsWith((byte) ' ');
        assertThat(ds.strings(DicomTags.ACCESSION_NUMBER)).isEmpty();
        assertThat(ds.contains(DicomTags.ACCESSION_NUMBER)).isTrue();
        assertThat(ds.intValue(DicomTags.INSTANCE_NUMBER)).hasValue(-7);
        assertThat(ds.doubles(DicomTags.IMAGE_POSITION_PATIENT))
                .containsExactly(-100.25, 1e20, -1.23456789e-20);
        assertThat(ds.doubles(DicomTags.PIXEL_SPACING)[0]).isCloseTo(1.0 / 3, within(1e-14));
        assertThat(ds.ints(DicomTags.ROWS)).containsExactly(13);
        assertThat(ds.ints(0x00091005)).containsExactly(-32768, 32767);
        assertThat(ds.ints(0x00091006)).containsExactly(Integer.MIN_VALUE);
        assertThat(ds.doubles(0x00091007)).containsExactly(0.5, -2.25);
        assertThat(ds.doubles(0x00091008)).containsExactly(1.0 / 3);
        assertThat(ds.strings(0x00091002)).containsExactly("a", "bc");
        assertThat(ds.element(0x0009100D).orElseThrow().bytes()).containsExactly(5, 6, 7, 0);
        assertThat(ds.element(DicomTags.PIXEL_DATA).orElseThrow().bytes())
                .containsExactly(1, 2, 3, 4, 5, 0);
        List<DicomDataset> segments = ds.sequence(DicomTags.SEGMENT_SEQUENCE);
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0).string(DicomTags.SEGMENT_DESCRIPTION))
                .hasValue("line one\r\nline two");
        assertThat(segments.get(0).ints(DicomTags.RECOMMENDED_DISPLAY_CIELAB_VALUE))
                .containsExactly(65535, 0, 32768);
        assertThat(
                        segments.get(0)
                                .sequence(DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE)
                                .get(0)
                                .string(DicomTags.CODE_VALUE))
                .hasValue("123037004");
        assertThat(segments.get(1).sequence(DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE))
                .isEmpty();
        assertThat(ds.sequence(DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE)).hasSize(1);
        assertThat(ds.sequence(DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE).get(0).elements())
                .isEmpty();
        // elements come in ascending tag order (unsigned: the private group before 7FE0)
        List<Integer> tags = ds.elements().stream().map(DicomElement::tag).toList();
        assertThat(tags).isSortedAccordingTo(Integer::compareUnsigned);
        assertThat(tags.get(tags.size() - 1)).isEqualTo(DicomTags.PIXEL_DATA);
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    @Test
    void pydicomReadsWhatWasPut() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        Sample sample = sample();
        Path file = dir.resolve("all.dcm");
        DicomWriter.write(sample.ds, file);
        NibabelProcess.run(
                dir,
                "pydicom_read_dataset.py",
                List.of(file.toString(), dir.resolve("all.json").toString()));
        JsonObject read =
                JsonParser.parseString(Files.readString(dir.resolve("all.json"))).getAsJsonObject();
        assertThat(read.get("preamble_zero").getAsBoolean()).isTrue();
        assertThat(read.get("implicit").getAsBoolean()).isFalse();
        assertThat(read.get("little_endian").getAsBoolean()).isTrue();
        JsonObject dataset = read.getAsJsonObject("dataset");
        assertThat(dataset.keySet()).containsExactlyInAnyOrderElementsOf(sample.want.keySet());
        for (String tag : sample.want.keySet()) {
            assertThat(dataset.get(tag)).as(tag).isEqualTo(sample.want.get(tag));
        }
        JsonObject meta = read.getAsJsonObject("meta");
        assertThat(meta.keySet())
                .containsExactly(
                        "00020000",
                        "00020001",
                        "00020002",
                        "00020003",
                        "00020010",
                        "00020012",
                        "00020013");
        assertThat(values(meta, "00020002")).isEqualTo(List.of(SEG));
        assertThat(values(meta, "00020003")).isEqualTo(List.of("2.25.123456789"));
        assertThat(values(meta, "00020010")).isEqualTo(List.of("1.2.840.10008.1.2.1"));
        assertThat(values(meta, "00020012"))
                .isEqualTo(List.of(DicomWriter.IMPLEMENTATION_CLASS_UID));
        assertThat(values(meta, "00020013"))
                .isEqualTo(List.of(DicomWriter.IMPLEMENTATION_VERSION_NAME));
        assertThat(meta.getAsJsonObject("00020001").get("hex").getAsString()).isEqualTo("0001");
        // the group length pydicom read is the byte count of the meta elements after it
        long length = meta.getAsJsonObject("00020000").getAsJsonArray("values").get(0).getAsLong();
        byte[] bytes = Files.readAllBytes(file);
        int after = (int) (128 + 4 + 12 + length);
        assertThat(bytes[after] & 0xFF).isEqualTo(0x08);
        // the last meta element, (0002,0013) SH of 16 characters, ends right there
        assertThat(HexFormat.of().formatHex(bytes, after - 24, after - 16))
                .isEqualTo("020013005348" + "1000");
    }

    private static List<String> values(JsonObject ds, String tag) {
        return ds.getAsJsonObject(tag).getAsJsonArray("values").asList().stream()
                .map(v -> v.getAsString())
                .toList();
    }

    @Test
    void dcmdumpReadsItWithoutWarnings() throws IOException, InterruptedException {
        ExternalTools.assumeCommand("dcmdump", "dcmdump", "--version");
        Path file = dir.resolve("all.dcm");
        DicomWriter.write(sample().ds, file);
        String dump = dcmdump(file);
        assertThat(dump).contains("(0062,0005) LO [spleen]");
        assertThat(dump).contains("(0020,0032) DS [-100.25\\1E20\\-1.23456789E-20]");
        assertThat(dump).contains("(0020,9165) AT (0062,000b)");
        assertThat(dump).contains("(7fe0,0010) OB 01\\02\\03\\04\\05\\00");
    }

    /** dcmdump's output; fails unless it exits 0 and prints no warning or error line. */
    static String dcmdump(Path file) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder("dcmdump", "-M", "+L", file.toString())
                        .redirectErrorStream(true)
                        .start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(dump).isZero();
        assertThat(dump.lines().filter(l -> l.startsWith("W:") || l.startsWith("E:")))
                .as(dump)
                .isEmpty();
        return dump;
    }

    @Test
    void formatsDecimalsInSixteenCharacters() {
        assertThat(DicomWriter.formatDecimal(0)).isEqualTo("0");
        assertThat(DicomWriter.formatDecimal(-0.0)).isEqualTo("0");
        assertThat(DicomWriter.formatDecimal(1)).isEqualTo("1");
        assertThat(DicomWriter.formatDecimal(100)).isEqualTo("100");
        assertThat(DicomWriter.formatDecimal(0.1)).isEqualTo("0.1");
        assertThat(DicomWriter.formatDecimal(-2.5)).isEqualTo("-2.5");
        assertThat(DicomWriter.formatDecimal(1.0 / 3)).isEqualTo("0.33333333333333");
        assertThat(DicomWriter.formatDecimal(-1.0 / 3)).isEqualTo("-0.3333333333333");
        assertThat(DicomWriter.formatDecimal(1e20)).isEqualTo("1E20");
        assertThat(DicomWriter.formatDecimal(123456789012345678.0)).isEqualTo("1.23456789012E17");
        assertThat(DicomWriter.formatDecimal(0.000123456789012345)).isEqualTo("1.23456789012E-4");
        assertThat(DicomWriter.formatDecimal(-1234567.891)).isEqualTo("-1234567.891");
        assertThat(DicomWriter.formatDecimal(Double.MIN_VALUE)).isEqualTo("4.9E-324");
        assertThat(DicomWriter.formatDecimal(-Double.MAX_VALUE)).isEqualTo("-1.797693134E308");
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
            String s = DicomWriter.formatDecimal(v);
            assertThat(s.length()).as(s).isLessThanOrEqualTo(16);
            assertThat(s).matches("-?[0-9]+(\\.[0-9]+)?(E-?[0-9]+)?");
            assertThat(Double.parseDouble(s)).as(s).isCloseTo(v, within(Math.abs(v) * 1e-9));
        }
        assertThatThrownBy(() -> DicomWriter.formatDecimal(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesValuesTheirVrDoesNotAllow() {
        DicomWriter.Dataset ds = new DicomWriter.Dataset();
        assertThatThrownBy(() -> ds.putString(DicomTags.PATIENT_ID, "SH", "x"))
                .hasMessageContaining("(0010,0020) has VR LO, not SH");
        assertThatThrownBy(() -> ds.putString(DicomTags.MODALITY, "CS", "seg"))
                .hasMessageContaining("character 's' is not allowed in CS");
        assertThatThrownBy(() -> ds.putString(DicomTags.SOP_INSTANCE_UID, "UI", "1.2.x"))
                .hasMessageContaining("not allowed in UI");
        assertThatThrownBy(
                        () -> ds.putString(DicomTags.SOP_INSTANCE_UID, "UI", "1." + "2".repeat(63)))
                .hasMessageContaining("longer than 64 characters");
        assertThatThrownBy(() -> ds.putString(DicomTags.PATIENT_ID, "LO", "a\\b"))
                .hasMessageContaining("not allowed in LO");
        assertThatThrownBy(() -> ds.putString(DicomTags.PATIENT_ID, "LO", "\u20ac"))
                .hasMessageContaining("U+8364");
        assertThatThrownBy(() -> ds.putInts(DicomTags.ROWS, "US", 65536))
                .hasMessageContaining("out of the range of US");
        assertThatThrownBy(() -> ds.putBytes(0x00091009, "OW", new byte[3]))
                .hasMessageContaining("not whole OW words");
        assertThatThrownBy(() -> ds.putString(DicomTags.TRANSFER_SYNTAX_UID, "UI", "1.2"))
                .hasMessageContaining("file meta information");
        assertThatThrownBy(() -> ds.putBytes(0x00090000, "UN", new byte[0]))
                .hasMessageContaining("group length");
        assertThatThrownBy(() -> ds.putString(0x00091001, "ST", "x".repeat(1025)))
                .hasMessageContaining("longer than 1024");
        assertThatThrownBy(() -> ds.putString(0x00091001, "LO", "x".repeat(40_000)))
                .hasMessageContaining("longer than 64");
        ds.putString(0x00091001, "UC", "x".repeat(70_000)); // a 4-byte length VR holds it
        assertThat(ds.text(0x00091001)).hasValueSatisfying(v -> assertThat(v).hasSize(70_000));
        assertThatThrownBy(() -> DicomWriter.toBytes(new DicomWriter.Dataset()))
                .hasMessageContaining("SOPClassUID");
    }

    @Test
    void writesAtomicallyAndReplaces() throws IOException {
        Path file = dir.resolve("x.dcm");
        Sample a = sample();
        DicomWriter.write(a.ds, file);
        a.ds.putString(DicomTags.PATIENT_ID, "LO", "second");
        DicomWriter.write(a.ds, file);
        assertThat(new DicomParser().parse(file).dataset().string(DicomTags.PATIENT_ID))
                .hasValue("second");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("x.dcm");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(DicomWriter.toBytes(a.ds));
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(file), 128, 132))
                .isEqualTo("4449434d");
    }
}
