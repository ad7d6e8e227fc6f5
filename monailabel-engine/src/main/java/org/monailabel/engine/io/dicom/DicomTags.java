package org.monailabel.engine.io.dicom;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Tags ({@code group << 16 | element}) of the attributes the reader uses, with the VR each has in
 * PS3.6, which is how an implicit VR dataset is decoded. A tag not listed here reads as {@code UN}
 * (raw bytes) in implicit VR, except group lengths ({@code UL}) and undefined-length values (read
 * as sequences, as PS3.5 section 6.2.2 implies).
 */
public final class DicomTags {
    public static final int FILE_META_INFORMATION_GROUP_LENGTH = 0x00020000;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;
    public static final int IMPLEMENTATION_CLASS_UID = 0x00020012;
    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int IMAGE_TYPE = 0x00080008;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int STUDY_DATE = 0x00080020;
    public static final int MODALITY = 0x00080060;
    public static final int SERIES_DESCRIPTION = 0x0008103E;
    public static final int REFERENCED_SERIES_SEQUENCE = 0x00081115;
    public static final int REFERENCED_IMAGE_SEQUENCE = 0x00081140;
    public static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    public static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;
    public static final int SOURCE_IMAGE_SEQUENCE = 0x00082112;
    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_ID = 0x00100020;
    public static final int SLICE_THICKNESS = 0x00180050;
    public static final int SPACING_BETWEEN_SLICES = 0x00180088;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int SERIES_NUMBER = 0x00200011;
    public static final int INSTANCE_NUMBER = 0x00200013;
    public static final int IMAGE_POSITION_PATIENT = 0x00200032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x00200037;
    public static final int FRAME_OF_REFERENCE_UID = 0x00200052;
    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int PIXEL_SPACING = 0x00280030;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int WINDOW_CENTER = 0x00281050;
    public static final int WINDOW_WIDTH = 0x00281051;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int RESCALE_TYPE = 0x00281054;
    public static final int PIXEL_DATA = 0x7FE00010;

    /** Item, item delimitation and sequence delimitation (PS3.5 section 7.5); they have no VR. */
    public static final int ITEM = 0xFFFEE000;

    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    private static final Map<Integer, String> VR = new HashMap<>();

    static {
        String[][] entries = {
            {"00020000", "UL"}, {"00020001", "OB"}, {"00020002", "UI"}, {"00020003", "UI"},
            {"00020010", "UI"}, {"00020012", "UI"}, {"00020013", "SH"}, {"00020016", "AE"},
            {"00080005", "CS"}, {"00080008", "CS"}, {"00080016", "UI"}, {"00080018", "UI"},
            {"00080020", "DA"}, {"00080030", "TM"}, {"00080050", "SH"}, {"00080060", "CS"},
            {"00080070", "LO"}, {"0008103E", "LO"}, {"00081115", "SQ"}, {"00081140", "SQ"},
            {"00081150", "UI"}, {"00081155", "UI"}, {"00082112", "SQ"}, {"00100010", "PN"},
            {"00100020", "LO"}, {"00100030", "DA"}, {"00100040", "CS"}, {"00180050", "DS"},
            {"00180088", "DS"}, {"0020000D", "UI"}, {"0020000E", "UI"}, {"00200010", "SH"},
            {"00200011", "IS"}, {"00200013", "IS"}, {"00200032", "DS"}, {"00200037", "DS"},
            {"00200052", "UI"}, {"00201041", "DS"}, {"00280002", "US"}, {"00280004", "CS"},
            {"00280008", "IS"}, {"00280010", "US"}, {"00280011", "US"}, {"00280030", "DS"},
            {"00280100", "US"}, {"00280101", "US"}, {"00280102", "US"}, {"00280103", "US"},
            {"00281050", "DS"}, {"00281051", "DS"}, {"00281052", "DS"}, {"00281053", "DS"},
            {"00281054", "LO"}, {"7FE00010", "OW"},
        };
        for (String[] e : entries) {
            VR.put(Integer.parseUnsignedInt(e[0], 16), e[1]);
        }
    }

    private DicomTags() {}

    /**
     * The VR an implicit VR dataset uses for a tag: the dictionary's, {@code UL} for a group
     * length, else {@code UN}.
     */
    public static String implicitVr(int tag) {
        String vr = VR.get(tag);
        if (vr != null) {
            return vr;
        }
        return (tag & 0xFFFF) == 0 ? "UL" : "UN";
    }

    /** {@code (gggg,eeee)} in upper-case hex, as PS3.6 writes tags. */
    public static String toString(int tag) {
        return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
