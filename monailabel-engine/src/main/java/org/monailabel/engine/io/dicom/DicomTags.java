package org.monailabel.engine.io.dicom;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Tags ({@code group << 16 | element}) of the attributes the reader and the writers use, with the
 * VR each has in PS3.6, which is how an implicit VR dataset is decoded (and what {@link
 * DicomWriter.Dataset} checks a value's VR against). A tag not listed here reads as {@code UN} (raw
 * bytes) in implicit VR, except group lengths ({@code UL}) and undefined-length values (read as
 * sequences, as PS3.5 section 6.2.2 implies).
 */
public final class DicomTags {
    public static final int FILE_META_INFORMATION_GROUP_LENGTH = 0x00020000;
    public static final int FILE_META_INFORMATION_VERSION = 0x00020001;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;
    public static final int IMPLEMENTATION_CLASS_UID = 0x00020012;
    public static final int IMPLEMENTATION_VERSION_NAME = 0x00020013;
    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int IMAGE_TYPE = 0x00080008;
    public static final int INSTANCE_CREATION_DATE = 0x00080012;
    public static final int INSTANCE_CREATION_TIME = 0x00080013;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int STUDY_DATE = 0x00080020;
    public static final int SERIES_DATE = 0x00080021;
    public static final int CONTENT_DATE = 0x00080023;
    public static final int STUDY_TIME = 0x00080030;
    public static final int SERIES_TIME = 0x00080031;
    public static final int CONTENT_TIME = 0x00080033;
    public static final int ACCESSION_NUMBER = 0x00080050;
    public static final int MODALITY = 0x00080060;
    public static final int MANUFACTURER = 0x00080070;
    public static final int REFERRING_PHYSICIAN_NAME = 0x00080090;
    public static final int CODE_VALUE = 0x00080100;
    public static final int CODING_SCHEME_DESIGNATOR = 0x00080102;
    public static final int CODE_MEANING = 0x00080104;
    public static final int LONG_CODE_VALUE = 0x00080119;
    public static final int STUDY_DESCRIPTION = 0x00081030;
    public static final int SERIES_DESCRIPTION = 0x0008103E;
    public static final int MANUFACTURER_MODEL_NAME = 0x00081090;
    public static final int REFERENCED_SERIES_SEQUENCE = 0x00081115;
    public static final int REFERENCED_IMAGE_SEQUENCE = 0x00081140;
    public static final int REFERENCED_INSTANCE_SEQUENCE = 0x0008114A;
    public static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    public static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;
    public static final int REFERENCED_FRAME_NUMBER = 0x00081160;
    public static final int DERIVATION_DESCRIPTION = 0x00082111;
    public static final int SOURCE_IMAGE_SEQUENCE = 0x00082112;
    public static final int DERIVATION_IMAGE_SEQUENCE = 0x00089124;
    public static final int DERIVATION_CODE_SEQUENCE = 0x00089215;
    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_ID = 0x00100020;
    public static final int PATIENT_BIRTH_DATE = 0x00100030;
    public static final int PATIENT_SEX = 0x00100040;
    public static final int SLICE_THICKNESS = 0x00180050;
    public static final int KVP = 0x00180060;
    public static final int SPACING_BETWEEN_SLICES = 0x00180088;
    public static final int DEVICE_SERIAL_NUMBER = 0x00181000;
    public static final int SOFTWARE_VERSIONS = 0x00181020;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int STUDY_ID = 0x00200010;
    public static final int SERIES_NUMBER = 0x00200011;
    public static final int ACQUISITION_NUMBER = 0x00200012;
    public static final int INSTANCE_NUMBER = 0x00200013;
    public static final int PATIENT_ORIENTATION = 0x00200020;
    public static final int IMAGE_POSITION_PATIENT = 0x00200032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x00200037;
    public static final int FRAME_OF_REFERENCE_UID = 0x00200052;
    public static final int POSITION_REFERENCE_INDICATOR = 0x00201040;
    public static final int SLICE_LOCATION = 0x00201041;
    public static final int FRAME_CONTENT_SEQUENCE = 0x00209111;
    public static final int PLANE_POSITION_SEQUENCE = 0x00209113;
    public static final int PLANE_ORIENTATION_SEQUENCE = 0x00209116;
    public static final int DIMENSION_INDEX_VALUES = 0x00209157;
    public static final int DIMENSION_ORGANIZATION_UID = 0x00209164;
    public static final int DIMENSION_INDEX_POINTER = 0x00209165;
    public static final int FUNCTIONAL_GROUP_POINTER = 0x00209167;
    public static final int DIMENSION_ORGANIZATION_SEQUENCE = 0x00209221;
    public static final int DIMENSION_INDEX_SEQUENCE = 0x00209222;
    public static final int DIMENSION_ORGANIZATION_TYPE = 0x00209311;
    public static final int DIMENSION_DESCRIPTION_LABEL = 0x00209421;
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
    public static final int SPATIAL_LOCATIONS_PRESERVED = 0x0028135A;
    public static final int LOSSY_IMAGE_COMPRESSION = 0x00282110;
    public static final int PIXEL_MEASURES_SEQUENCE = 0x00289110;
    public static final int PURPOSE_OF_REFERENCE_CODE_SEQUENCE = 0x0040A170;
    public static final int SEGMENTATION_TYPE = 0x00620001;
    public static final int SEGMENT_SEQUENCE = 0x00620002;
    public static final int SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE = 0x00620003;
    public static final int SEGMENT_NUMBER = 0x00620004;
    public static final int SEGMENT_LABEL = 0x00620005;
    public static final int SEGMENT_DESCRIPTION = 0x00620006;
    public static final int SEGMENT_ALGORITHM_TYPE = 0x00620008;
    public static final int SEGMENT_ALGORITHM_NAME = 0x00620009;
    public static final int SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000A;
    public static final int REFERENCED_SEGMENT_NUMBER = 0x0062000B;
    public static final int RECOMMENDED_DISPLAY_CIELAB_VALUE = 0x0062000D;
    public static final int MAXIMUM_FRACTIONAL_VALUE = 0x0062000E;
    public static final int SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE = 0x0062000F;
    public static final int SEGMENTATION_FRACTIONAL_TYPE = 0x00620010;
    public static final int SEGMENTS_OVERLAP = 0x00620013;
    public static final int CONTENT_LABEL = 0x00700080;
    public static final int CONTENT_DESCRIPTION = 0x00700081;
    public static final int CONTENT_CREATOR_NAME = 0x00700084;
    public static final int SHARED_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009229;
    public static final int PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009230;
    public static final int PIXEL_DATA = 0x7FE00010;

    /** Item, item delimitation and sequence delimitation (PS3.5 section 7.5); they have no VR. */
    public static final int ITEM = 0xFFFEE000;

    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    private static final Map<Integer, String> VR = new HashMap<>();

    static {
        String[][] entries = {
            {"00020000", "UL"},
            {"00020001", "OB"},
            {"00020002", "UI"},
            {"00020003", "UI"},
            {"00020010", "UI"},
            {"00020012", "UI"},
            {"00020013", "SH"},
            {"00020016", "AE"},
            {"00080005", "CS"},
            {"00080008", "CS"},
            {"00080012", "DA"},
            {"00080013", "TM"},
            {"00080016", "UI"},
            {"00080018", "UI"},
            {"00080020", "DA"},
            {"00080021", "DA"},
            {"00080023", "DA"},
            {"00080030", "TM"},
            {"00080031", "TM"},
            {"00080033", "TM"},
            {"00080050", "SH"},
            {"00080060", "CS"},
            {"00080070", "LO"},
            {"00080090", "PN"},
            {"00080100", "SH"},
            {"00080102", "SH"},
            {"00080104", "LO"},
            {"00080119", "UC"},
            {"00081030", "LO"},
            {"0008103E", "LO"},
            {"00081090", "LO"},
            {"00081115", "SQ"},
            {"00081140", "SQ"},
            {"0008114A", "SQ"},
            {"00081150", "UI"},
            {"00081155", "UI"},
            {"00081160", "IS"},
            {"00082111", "ST"},
            {"00082112", "SQ"},
            {"00089124", "SQ"},
            {"00089215", "SQ"},
            {"00100010", "PN"},
            {"00100020", "LO"},
            {"00100030", "DA"},
            {"00100040", "CS"},
            {"00180050", "DS"},
            {"00180060", "DS"},
            {"00180088", "DS"},
            {"00181000", "LO"},
            {"00181020", "LO"},
            {"0020000D", "UI"},
            {"0020000E", "UI"},
            {"00200010", "SH"},
            {"00200011", "IS"},
            {"00200012", "IS"},
            {"00200013", "IS"},
            {"00200020", "CS"},
            {"00200032", "DS"},
            {"00200037", "DS"},
            {"00200052", "UI"},
            {"00201040", "LO"},
            {"00201041", "DS"},
            {"00209111", "SQ"},
            {"00209113", "SQ"},
            {"00209116", "SQ"},
            {"00209157", "UL"},
            {"00209164", "UI"},
            {"00209165", "AT"},
            {"00209167", "AT"},
            {"00209221", "SQ"},
            {"00209222", "SQ"},
            {"00209311", "CS"},
            {"00209421", "LO"},
            {"00280002", "US"},
            {"00280004", "CS"},
            {"00280008", "IS"},
            {"00280010", "US"},
            {"00280011", "US"},
            {"00280030", "DS"},
            {"00280100", "US"},
            {"00280101", "US"},
            {"00280102", "US"},
            {"00280103", "US"},
            {"00281050", "DS"},
            {"00281051", "DS"},
            {"00281052", "DS"},
            {"00281053", "DS"},
            {"00281054", "LO"},
            {"0028135A", "CS"},
            {"00282110", "CS"},
            {"00289110", "SQ"},
            {"0040A170", "SQ"},
            {"00620001", "CS"},
            {"00620002", "SQ"},
            {"00620003", "SQ"},
            {"00620004", "US"},
            {"00620005", "LO"},
            {"00620006", "ST"},
            {"00620008", "CS"},
            {"00620009", "LO"},
            {"0062000A", "SQ"},
            {"0062000B", "US"},
            {"0062000D", "US"},
            {"0062000E", "US"},
            {"0062000F", "SQ"},
            {"00620010", "CS"},
            {"00620013", "CS"},
            {"00700080", "CS"},
            {"00700081", "LO"},
            {"00700084", "PN"},
            {"52009229", "SQ"},
            {"52009230", "SQ"},
            {"7FE00010", "OW"},
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

    /** The VR PS3.6 gives a tag listed here, or {@code null} for a tag not listed. */
    public static String dictionaryVr(int tag) {
        return VR.get(tag);
    }

    /** {@code (gggg,eeee)} in upper-case hex, as PS3.6 writes tags. */
    public static String toString(int tag) {
        return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
