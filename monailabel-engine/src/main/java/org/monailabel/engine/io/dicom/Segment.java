package org.monailabel.engine.io.dicom;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One segment of a DICOM Segmentation (an item of {@code SegmentSequence}, PS3.3 C.8.20.2): the
 * label value it stands for in a label volume, its label, display colour, coded category and type,
 * and the algorithm that made it. Immutable.
 *
 * <p>{@link #of(int, String)} fills in defaults: the codes of a few well-known structures when the
 * name is one of them (spleen, liver, kidney, left/right kidney, pancreas, stomach, aorta,
 * gallbladder, esophagus, heart, lung, urinary bladder; tumor, tumour, lesion and neoplasm as SCT
 * 108369006 "Neoplasm" under 49755003 "Morphologically Abnormal Structure"), otherwise SCT 91723000
 * "Anatomical Structure" under SCT 123037004 "Anatomical Structure"; a colour from a fixed palette
 * by label value; algorithm {@link AlgorithmType#AUTOMATIC} named {@value #DEFAULT_ALGORITHM}.
 *
 * @param labelValue the voxel value (not 0, the background) of the segment in a label volume
 * @param label the segment's label ({@code SegmentLabel}, LO: at most 64 characters)
 * @param rgb the recommended display colour, {@code 0xRRGGBB} in sRGB
 * @param algorithmName required unless the algorithm type is {@link AlgorithmType#MANUAL}; {@code
 *     ""} for none
 */
public record Segment(
        int labelValue,
        String label,
        int rgb,
        Code category,
        Code type,
        AlgorithmType algorithmType,
        String algorithmName) {
    /** The algorithm name of {@link #of(int, String)}. */
    public static final String DEFAULT_ALGORITHM = "MONAI Label";

    /** SCT 123037004 "Anatomical Structure", the default category. */
    public static final Code ANATOMICAL_STRUCTURE_CATEGORY =
            new Code("123037004", "SCT", "Anatomical Structure");

    /** SCT 91723000 "Anatomical Structure", the default type. */
    public static final Code ANATOMICAL_STRUCTURE =
            new Code("91723000", "SCT", "Anatomical Structure");

    /** SCT 49755003 "Morphologically Abnormal Structure", the category of a neoplasm. */
    public static final Code MORPHOLOGICALLY_ABNORMAL_STRUCTURE =
            new Code("49755003", "SCT", "Morphologically Abnormal Structure");

    /** SCT 108369006 "Neoplasm". */
    public static final Code NEOPLASM = new Code("108369006", "SCT", "Neoplasm");

    /** Known structure names (lower case, single spaces) to their SCT type codes. */
    private static final Map<String, Code> ANATOMY =
            Map.ofEntries(
                    Map.entry("spleen", new Code("78961009", "SCT", "Spleen")),
                    Map.entry("liver", new Code("10200004", "SCT", "Liver")),
                    Map.entry("kidney", new Code("64033007", "SCT", "Kidney")),
                    Map.entry("left kidney", new Code("18639004", "SCT", "Left kidney")),
                    Map.entry("right kidney", new Code("9846003", "SCT", "Right kidney")),
                    Map.entry("pancreas", new Code("15776009", "SCT", "Pancreas")),
                    Map.entry("stomach", new Code("69695003", "SCT", "Stomach")),
                    Map.entry("aorta", new Code("15825003", "SCT", "Aorta")),
                    Map.entry("gallbladder", new Code("28231008", "SCT", "Gallbladder")),
                    Map.entry("esophagus", new Code("32849002", "SCT", "Esophagus")),
                    Map.entry("heart", new Code("80891009", "SCT", "Heart")),
                    Map.entry("lung", new Code("39607008", "SCT", "Lung")),
                    Map.entry("urinary bladder", new Code("89837001", "SCT", "Urinary bladder")));

    /** Names that mean a neoplasm. */
    private static final Map<String, Code> ABNORMAL =
            Map.of("tumor", NEOPLASM, "tumour", NEOPLASM, "lesion", NEOPLASM, "neoplasm", NEOPLASM);

    /** Distinct colours for labels 1, 2, ... (cycling). */
    private static final int[] PALETTE = {
        0x80AE80, 0xF1D691, 0xB17A65, 0x6FB8D2, 0xD8654F, 0xDD8265, 0x90EE90, 0xC06858, 0xDCF514,
        0x4E3F00
    };

    public Segment {
        if (labelValue == 0) {
            throw new IllegalArgumentException("Label value 0 is the background, not a segment");
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(algorithmType, "algorithmType");
        Objects.requireNonNull(algorithmName, "algorithmName");
        if (label.isBlank() || label.length() > 64) {
            throw new IllegalArgumentException(
                    "A segment label needs 1 to 64 characters: '" + label + "'");
        }
        if (rgb < 0 || rgb > 0xFFFFFF) {
            throw new IllegalArgumentException(
                    "A segment colour is 0xRRGGBB, not " + Integer.toHexString(rgb));
        }
        if (algorithmType != AlgorithmType.MANUAL && algorithmName.isBlank()) {
            throw new IllegalArgumentException(
                    "A segment made by an " + algorithmType + " algorithm needs its name");
        }
    }

    /** A segment with the defaults of the class comment. */
    public static Segment of(int labelValue, String label) {
        String key = normalise(label);
        Code category = ANATOMICAL_STRUCTURE_CATEGORY;
        Code type = ANATOMY.get(key);
        if (type == null && ABNORMAL.containsKey(key)) {
            category = MORPHOLOGICALLY_ABNORMAL_STRUCTURE;
            type = ABNORMAL.get(key);
        }
        if (type == null) {
            type = ANATOMICAL_STRUCTURE;
        }
        return new Segment(
                labelValue,
                label,
                defaultColor(labelValue),
                category,
                type,
                AlgorithmType.AUTOMATIC,
                DEFAULT_ALGORITHM);
    }

    /** The palette colour of a label value. */
    public static int defaultColor(int labelValue) {
        return PALETTE[Math.floorMod(labelValue - 1, PALETTE.length)];
    }

    /** "Kidney_Left", "left-kidney" and "kidney left" all become "left kidney". */
    static String normalise(String name) {
        String s = name.toLowerCase(Locale.ROOT).replace('_', ' ').replace('-', ' ').strip();
        s = s.replaceAll("\\s+", " ");
        for (String side : new String[] {"left", "right"}) {
            if (s.endsWith(" " + side)) {
                s = side + " " + s.substring(0, s.length() - side.length() - 1);
            }
        }
        if (s.equals("gall bladder")) {
            s = "gallbladder";
        } else if (s.equals("oesophagus")) {
            s = "esophagus";
        } else if (s.equals("bladder")) {
            s = "urinary bladder";
        }
        return s;
    }

    public Segment withColor(int newRgb) {
        return new Segment(labelValue, label, newRgb, category, type, algorithmType, algorithmName);
    }

    public Segment withCodes(Code newCategory, Code newType) {
        return new Segment(
                labelValue, label, rgb, newCategory, newType, algorithmType, algorithmName);
    }

    public Segment withAlgorithm(AlgorithmType newType, String newName) {
        return new Segment(labelValue, label, rgb, category, type, newType, newName);
    }

    public Segment withLabelValue(int newLabelValue) {
        return new Segment(newLabelValue, label, rgb, category, type, algorithmType, algorithmName);
    }

    /** {@code SegmentAlgorithmType} (0062,0008). */
    public enum AlgorithmType {
        AUTOMATIC,
        SEMIAUTOMATIC,
        MANUAL
    }

    /**
     * A coded concept (PS3.3 Table 8.8-1, basic coded entry attributes).
     *
     * @param value {@code CodeValue} (SH, at most 16 characters), or a longer value (at most 64
     *     characters) written as {@code LongCodeValue} (0008,0119)
     * @param scheme {@code CodingSchemeDesignator}, e.g. {@code SCT} or {@code DCM}
     * @param meaning {@code CodeMeaning} (LO, at most 64 characters)
     */
    public record Code(String value, String scheme, String meaning) {
        public Code {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(meaning, "meaning");
            if (value.isBlank() || value.length() > 64) {
                throw new IllegalArgumentException(
                        "A code value needs 1 to 64 characters: '" + value + "'");
            }
            if (scheme.isBlank() || scheme.length() > 16) {
                throw new IllegalArgumentException(
                        "A coding scheme designator needs 1 to 16 characters: '" + scheme + "'");
            }
            if (meaning.isBlank() || meaning.length() > 64) {
                throw new IllegalArgumentException(
                        "A code meaning needs 1 to 64 characters: '" + meaning + "'");
            }
        }
    }
}
