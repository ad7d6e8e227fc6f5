package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.monailabel.api.image.Volume;

/**
 * Writes a binary DICOM Segmentation (Segmentation Storage, PS3.3 A.51) of an integer label volume
 * that lies on the grid of its source series. Thread-safe (immutable).
 *
 * <p>Input: the label volume (any integer voxel type, 3-D), the {@link ReferencedSeries} of the
 * source (as {@link DicomSeries} put it in the image's metadata) and the segments to write, each
 * naming the label value it stands for. The label must have the shape of the source volume and its
 * affine (within {@link VolumeGrid#TOLERANCE} of a voxel at every corner), else {@link
 * IllegalArgumentException}; voxels whose value is not a listed segment's are left out.
 *
 * <p>Output: segments are numbered 1..n in list order. One frame is written per (segment, slice)
 * that holds at least one voxel of the segment, ordered by segment and then slice; a label with no
 * voxel of any segment still makes a valid SEG, with one empty frame of the first segment on the
 * first slice. The segments cannot overlap ({@code SegmentsOverlap NO}).
 *
 * <p>Content: the Patient and General Study modules copied from the {@link
 * ReferencedSeries.PatientStudy} (with its {@code SpecificCharacterSet}; a copied value its VR does
 * not allow is left empty rather than written invalid), new Series and SOP Instance UIDs, the
 * source's Frame of Reference, General and Enhanced General Equipment from the {@link Options}, the
 * Segmentation Image module ({@code BINARY}, 1-bit {@code MONOCHROME2}), the Multi-frame Dimension
 * module (dimensions ReferencedSegmentNumber and ImagePositionPatient), shared functional groups
 * (plane orientation, pixel measures) and per-frame ones (derivation from the source slice's SOP
 * instance, frame content, plane position, segment identification), the Common Instance Reference
 * module and the pixel data: frames concatenated bit by bit, the first pixel in the least
 * significant bit (PS3.5 8.1.1), padded to an even length. Geometry comes from the affine,
 * converted from RAS to the LPS of DICOM.
 */
public final class DicomSegWriter {
    /** Segmentation Storage. */
    public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";

    static final Segment.Code SOURCE_IMAGE_PURPOSE =
            new Segment.Code("121322", "DCM", "Source image for image processing operation");
    static final Segment.Code SEGMENTATION_DERIVATION =
            new Segment.Code("113076", "DCM", "Segmentation");

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HHmmss.SSSSSS", Locale.ROOT);

    private final Options options;

    public DicomSegWriter() {
        this(Options.defaults());
    }

    public DicomSegWriter(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Series-level and equipment attributes of the SEGs written. Text must fit its VR (LO: at most
     * 64 characters; ContentLabel is a CS: upper case, digits, space and underscore, at most 16).
     *
     * @param clock the time of ContentDate/Time, SeriesDate/Time and InstanceCreationDate/Time
     */
    public record Options(
            String seriesDescription,
            int seriesNumber,
            int instanceNumber,
            String contentLabel,
            String contentDescription,
            String contentCreatorName,
            String manufacturer,
            String manufacturerModelName,
            String deviceSerialNumber,
            String softwareVersions,
            Clock clock) {
        public Options {
            Objects.requireNonNull(seriesDescription, "seriesDescription");
            Objects.requireNonNull(contentLabel, "contentLabel");
            Objects.requireNonNull(contentDescription, "contentDescription");
            Objects.requireNonNull(contentCreatorName, "contentCreatorName");
            Objects.requireNonNull(manufacturer, "manufacturer");
            Objects.requireNonNull(manufacturerModelName, "manufacturerModelName");
            Objects.requireNonNull(deviceSerialNumber, "deviceSerialNumber");
            Objects.requireNonNull(softwareVersions, "softwareVersions");
            Objects.requireNonNull(clock, "clock");
            for (String[] required :
                    new String[][] {
                        {"contentLabel", contentLabel},
                        {"manufacturer", manufacturer},
                        {"manufacturerModelName", manufacturerModelName},
                        {"deviceSerialNumber", deviceSerialNumber},
                        {"softwareVersions", softwareVersions}
                    }) {
                if (required[1].isBlank()) {
                    throw new IllegalArgumentException(
                            "A SEG needs a " + required[0] + " (a Type 1 attribute)");
                }
            }
            // fail here rather than at the first write
            new DicomWriter.Dataset()
                    .putString(DicomTags.SERIES_DESCRIPTION, "LO", seriesDescription)
                    .putInts(DicomTags.SERIES_NUMBER, "IS", seriesNumber)
                    .putInts(DicomTags.INSTANCE_NUMBER, "IS", instanceNumber)
                    .putString(DicomTags.CONTENT_LABEL, "CS", contentLabel)
                    .putString(DicomTags.CONTENT_DESCRIPTION, "LO", contentDescription)
                    .putString(DicomTags.CONTENT_CREATOR_NAME, "PN", contentCreatorName)
                    .putString(DicomTags.MANUFACTURER, "LO", manufacturer)
                    .putString(DicomTags.MANUFACTURER_MODEL_NAME, "LO", manufacturerModelName)
                    .putString(DicomTags.DEVICE_SERIAL_NUMBER, "LO", deviceSerialNumber)
                    .putString(DicomTags.SOFTWARE_VERSIONS, "LO", softwareVersions);
        }

        /**
         * Series "Segmentation" number 300, instance 1, content label {@code MONAI_LABEL}, made by
         * "MONAI Label" model "monailabel-java", serial "1", version from the engine's jar (or
         * {@code dev}), the system clock.
         */
        public static Options defaults() {
            String version = DicomSegWriter.class.getPackage().getImplementationVersion();
            return new Options(
                    "Segmentation",
                    300,
                    1,
                    "MONAI_LABEL",
                    "MONAI Label segmentation",
                    "",
                    "MONAI Label",
                    "monailabel-java",
                    "1",
                    version == null || version.isBlank() ? "dev" : version,
                    Clock.systemDefaultZone());
        }

        public Options withSeries(String description, int number) {
            return new Options(
                    description,
                    number,
                    instanceNumber,
                    contentLabel,
                    contentDescription,
                    contentCreatorName,
                    manufacturer,
                    manufacturerModelName,
                    deviceSerialNumber,
                    softwareVersions,
                    clock);
        }

        public Options withContent(String label, String description, String creatorName) {
            return new Options(
                    seriesDescription,
                    seriesNumber,
                    instanceNumber,
                    label,
                    description,
                    creatorName,
                    manufacturer,
                    manufacturerModelName,
                    deviceSerialNumber,
                    softwareVersions,
                    clock);
        }

        public Options withClock(Clock newClock) {
            return new Options(
                    seriesDescription,
                    seriesNumber,
                    instanceNumber,
                    contentLabel,
                    contentDescription,
                    contentCreatorName,
                    manufacturer,
                    manufacturerModelName,
                    deviceSerialNumber,
                    softwareVersions,
                    newClock);
        }
    }

    /**
     * What was written.
     *
     * @param frames the number of frames (non-empty segment slices, or 1 for an empty label)
     */
    public record Written(String seriesInstanceUid, String sopInstanceUid, int frames) {}

    /** Writes the SEG atomically to {@code file} (see {@link DicomWriter#write}). */
    public Written write(Volume labels, ReferencedSeries source, List<Segment> segments, Path file)
            throws IOException {
        Built built = build(labels, source, segments);
        DicomWriter.write(built.dataset(), file);
        return built.written();
    }

    /** The SEG's Part 10 bytes. */
    public byte[] toBytes(Volume labels, ReferencedSeries source, List<Segment> segments) {
        return DicomWriter.toBytes(build(labels, source, segments).dataset());
    }

    /** The SEG's dataset, for a caller that adds attributes before writing it. */
    public DicomWriter.Dataset dataset(
            Volume labels, ReferencedSeries source, List<Segment> segments) {
        return build(labels, source, segments).dataset();
    }

    private record Frame(int segmentNumber, int slice) {}

    private record Built(DicomWriter.Dataset dataset, Written written) {}

    private Built build(Volume labels, ReferencedSeries source, List<Segment> segments) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(source, "source");
        checkInput(labels, source, segments);
        VolumeGrid grid = source.grid();
        int columns = grid.columns();
        int rows = grid.rows();
        int slices = grid.slices();

        // which (segment, slice) pairs hold voxels: one pass over the label
        boolean[][] present = new boolean[segments.size()][slices];
        int[] values = new int[segments.size()];
        for (int s = 0; s < values.length; s++) {
            values[s] = segments.get(s).labelValue();
        }
        int perSlice = columns * rows;
        for (int k = 0; k < slices; k++) {
            for (int p = 0; p < perSlice; p++) {
                double v = labels.get((long) k * perSlice + p);
                int s = v == 0 ? -1 : segmentOf(values, v);
                if (s >= 0) {
                    present[s][k] = true;
                }
            }
        }
        List<Frame> frames = new ArrayList<>();
        for (int s = 0; s < values.length; s++) {
            for (int k = 0; k < slices; k++) {
                if (present[s][k]) {
                    frames.add(new Frame(s + 1, k));
                }
            }
        }
        if (frames.isEmpty()) {
            frames.add(new Frame(1, 0)); // an empty label: one empty frame of the first segment
        }

        SliceGeometry geometry = SliceGeometry.of(grid.affine());
        ZonedDateTime now = ZonedDateTime.now(options.clock());
        String date = DATE.format(now);
        String time = TIME.format(now);
        String seriesUid = DicomUids.create();
        String sopUid = DicomUids.create();
        String dimensionUid = DicomUids.create();

        DicomWriter.Dataset ds = new DicomWriter.Dataset();
        // SOP Common
        ds.putString(DicomTags.SOP_CLASS_UID, "UI", SEGMENTATION_STORAGE);
        ds.putString(DicomTags.SOP_INSTANCE_UID, "UI", sopUid);
        ds.putString(DicomTags.INSTANCE_CREATION_DATE, "DA", date);
        ds.putString(DicomTags.INSTANCE_CREATION_TIME, "TM", time);
        // Patient, General Study (copied)
        ReferencedSeries.PatientStudy ps = source.patientStudy();
        copy(ds, DicomTags.SPECIFIC_CHARACTER_SET, "CS", ps.specificCharacterSet().split("\\\\"));
        copy(ds, DicomTags.PATIENT_NAME, "PN", ps.patientName());
        copy(ds, DicomTags.PATIENT_ID, "LO", ps.patientId());
        copy(ds, DicomTags.PATIENT_BIRTH_DATE, "DA", ps.patientBirthDate());
        copy(ds, DicomTags.PATIENT_SEX, "CS", ps.patientSex());
        ds.putString(DicomTags.STUDY_INSTANCE_UID, "UI", source.studyInstanceUid());
        copy(ds, DicomTags.STUDY_DATE, "DA", ps.studyDate());
        copy(ds, DicomTags.STUDY_TIME, "TM", ps.studyTime());
        copy(ds, DicomTags.REFERRING_PHYSICIAN_NAME, "PN", ps.referringPhysicianName());
        copy(ds, DicomTags.STUDY_ID, "SH", ps.studyId());
        copy(ds, DicomTags.ACCESSION_NUMBER, "SH", ps.accessionNumber());
        if (!ps.studyDescription().isEmpty()) {
            copy(ds, DicomTags.STUDY_DESCRIPTION, "LO", ps.studyDescription());
        }
        // General Series, Segmentation Series
        ds.putString(DicomTags.MODALITY, "CS", "SEG");
        ds.putString(DicomTags.SERIES_INSTANCE_UID, "UI", seriesUid);
        ds.putInts(DicomTags.SERIES_NUMBER, "IS", options.seriesNumber());
        ds.putString(DicomTags.SERIES_DATE, "DA", date);
        ds.putString(DicomTags.SERIES_TIME, "TM", time);
        if (!options.seriesDescription().isEmpty()) {
            ds.putString(DicomTags.SERIES_DESCRIPTION, "LO", options.seriesDescription());
        }
        // Frame of Reference
        ds.putString(DicomTags.FRAME_OF_REFERENCE_UID, "UI", source.frameOfReferenceUid());
        ds.putString(DicomTags.POSITION_REFERENCE_INDICATOR, "LO");
        // General Equipment, Enhanced General Equipment
        ds.putString(DicomTags.MANUFACTURER, "LO", options.manufacturer());
        ds.putString(DicomTags.MANUFACTURER_MODEL_NAME, "LO", options.manufacturerModelName());
        ds.putString(DicomTags.DEVICE_SERIAL_NUMBER, "LO", options.deviceSerialNumber());
        ds.putString(DicomTags.SOFTWARE_VERSIONS, "LO", options.softwareVersions());
        // General Image, Segmentation Image (with the Content Identification macro)
        ds.putInts(DicomTags.INSTANCE_NUMBER, "IS", options.instanceNumber());
        ds.putString(DicomTags.IMAGE_TYPE, "CS", "DERIVED", "PRIMARY");
        ds.putString(DicomTags.CONTENT_LABEL, "CS", options.contentLabel());
        ds.putString(DicomTags.CONTENT_DESCRIPTION, "LO", options.contentDescription());
        ds.putString(DicomTags.CONTENT_CREATOR_NAME, "PN", options.contentCreatorName());
        ds.putString(DicomTags.CONTENT_DATE, "DA", date);
        ds.putString(DicomTags.CONTENT_TIME, "TM", time);
        ds.putString(DicomTags.SEGMENTATION_TYPE, "CS", "BINARY");
        ds.putString(DicomTags.SEGMENTS_OVERLAP, "CS", "NO");
        ds.putString(DicomTags.LOSSY_IMAGE_COMPRESSION, "CS", "00");
        ds.putSequence(DicomTags.SEGMENT_SEQUENCE, segmentItems(segments));
        // Image Pixel
        ds.putInts(DicomTags.SAMPLES_PER_PIXEL, "US", 1);
        ds.putString(DicomTags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        ds.putInts(DicomTags.ROWS, "US", rows);
        ds.putInts(DicomTags.COLUMNS, "US", columns);
        ds.putInts(DicomTags.BITS_ALLOCATED, "US", 1);
        ds.putInts(DicomTags.BITS_STORED, "US", 1);
        ds.putInts(DicomTags.HIGH_BIT, "US", 0);
        ds.putInts(DicomTags.PIXEL_REPRESENTATION, "US", 0);
        // Multi-frame Functional Groups, Multi-frame Dimension
        ds.putInts(DicomTags.NUMBER_OF_FRAMES, "IS", frames.size());
        ds.putSequence(
                DicomTags.DIMENSION_ORGANIZATION_SEQUENCE,
                List.of(
                        new DicomWriter.Dataset()
                                .putString(
                                        DicomTags.DIMENSION_ORGANIZATION_UID, "UI", dimensionUid)));
        ds.putSequence(
                DicomTags.DIMENSION_INDEX_SEQUENCE,
                List.of(
                        dimension(
                                dimensionUid,
                                DicomTags.REFERENCED_SEGMENT_NUMBER,
                                DicomTags.SEGMENT_IDENTIFICATION_SEQUENCE,
                                "ReferencedSegmentNumber"),
                        dimension(
                                dimensionUid,
                                DicomTags.IMAGE_POSITION_PATIENT,
                                DicomTags.PLANE_POSITION_SEQUENCE,
                                "ImagePositionPatient")));
        ds.putSequence(DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE, List.of(shared(geometry)));
        List<DicomWriter.Dataset> perFrame = new ArrayList<>();
        for (Frame f : frames) {
            perFrame.add(perFrame(f, source, geometry));
        }
        ds.putSequence(DicomTags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, perFrame);
        // Common Instance Reference
        List<DicomWriter.Dataset> instances = new ArrayList<>();
        for (String uid : source.sopInstanceUids()) {
            instances.add(
                    new DicomWriter.Dataset()
                            .putString(
                                    DicomTags.REFERENCED_SOP_CLASS_UID, "UI", source.sopClassUid())
                            .putString(DicomTags.REFERENCED_SOP_INSTANCE_UID, "UI", uid));
        }
        ds.putSequence(
                DicomTags.REFERENCED_SERIES_SEQUENCE,
                List.of(
                        new DicomWriter.Dataset()
                                .putString(
                                        DicomTags.SERIES_INSTANCE_UID,
                                        "UI",
                                        source.seriesInstanceUid())
                                .putSequence(DicomTags.REFERENCED_INSTANCE_SEQUENCE, instances)));
        ds.putBytes(DicomTags.PIXEL_DATA, "OB", pack(labels, frames, values, columns, rows));
        return new Built(ds, new Written(seriesUid, sopUid, frames.size()));
    }

    private static void checkInput(Volume labels, ReferencedSeries source, List<Segment> segments) {
        Objects.requireNonNull(segments, "segments");
        if (labels.type().isFloatingPoint()) {
            throw new IllegalArgumentException(
                    "A SEG is written from an integer label volume, not " + labels.type());
        }
        if (labels.channels() != 1) {
            throw new IllegalArgumentException(
                    "A SEG is written from a 3-D label volume, not one of shape "
                            + Arrays.toString(labels.shape()));
        }
        VolumeGrid grid = source.grid();
        VolumeGrid own = VolumeGrid.of(labels);
        if (!grid.matches(own)) {
            throw new IllegalArgumentException(
                    "The label does not lie on the grid of series "
                            + source.seriesInstanceUid()
                            + ": label "
                            + own
                            + ", series "
                            + grid
                            + " (corners up to "
                            + String.format(Locale.ROOT, "%.4g", grid.cornerDistance(own))
                            + " mm apart); resample it onto the image first");
        }
        if (grid.columns() > 0xFFFF || grid.rows() > 0xFFFF) {
            throw new IllegalArgumentException(
                    "A DICOM frame has at most 65535 rows and columns, not "
                            + grid.columns()
                            + "x"
                            + grid.rows());
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("A SEG needs at least one segment");
        }
        if (segments.size() > 0xFFFF) {
            throw new IllegalArgumentException("A SEG holds at most 65535 segments");
        }
        Set<Integer> seen = new HashSet<>();
        for (Segment s : segments) {
            if (!seen.add(s.labelValue())) {
                throw new IllegalArgumentException(
                        "Two segments stand for label value " + s.labelValue());
            }
        }
        String[][] required = {
            {"StudyInstanceUID", source.studyInstanceUid()},
            {"SeriesInstanceUID", source.seriesInstanceUid()},
            {"FrameOfReferenceUID", source.frameOfReferenceUid()},
            {"SOPClassUID", source.sopClassUid()},
        };
        for (String[] r : required) {
            if (r[1].isEmpty()) {
                throw new IllegalArgumentException(
                        "The source series has no " + r[0] + ", which a SEG must reference");
            }
        }
        for (int k = 0; k < source.sopInstanceUids().size(); k++) {
            if (source.sopInstanceUids().get(k).isEmpty()) {
                throw new IllegalArgumentException(
                        "Slice " + k + " of the source series has no SOPInstanceUID");
            }
        }
    }

    private static int segmentOf(int[] values, double v) {
        for (int s = 0; s < values.length; s++) {
            if (values[s] == v) {
                return s;
            }
        }
        return -1;
    }

    /** A copied Type 2 attribute: empty when the source's value does not fit the VR. */
    private static void copy(DicomWriter.Dataset ds, int tag, String vr, String... values) {
        if (values.length == 1 && values[0].isEmpty()) {
            if (tag != DicomTags.SPECIFIC_CHARACTER_SET) {
                ds.putString(tag, vr);
            }
            return;
        }
        try {
            ds.putString(tag, vr, values);
        } catch (IllegalArgumentException e) {
            if (tag != DicomTags.SPECIFIC_CHARACTER_SET) {
                ds.putString(tag, vr);
            }
        }
    }

    private static DicomWriter.Dataset code(Segment.Code c) {
        DicomWriter.Dataset item = new DicomWriter.Dataset();
        if (c.value().length() <= 16) {
            item.putString(DicomTags.CODE_VALUE, "SH", c.value());
        } else {
            item.putString(DicomTags.LONG_CODE_VALUE, "UC", c.value());
        }
        return item.putString(DicomTags.CODING_SCHEME_DESIGNATOR, "SH", c.scheme())
                .putString(DicomTags.CODE_MEANING, "LO", c.meaning());
    }

    private static List<DicomWriter.Dataset> segmentItems(List<Segment> segments) {
        List<DicomWriter.Dataset> items = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            DicomWriter.Dataset item =
                    new DicomWriter.Dataset()
                            .putInts(DicomTags.SEGMENT_NUMBER, "US", i + 1)
                            .putString(DicomTags.SEGMENT_LABEL, "LO", s.label())
                            .putString(
                                    DicomTags.SEGMENT_ALGORITHM_TYPE,
                                    "CS",
                                    s.algorithmType().name())
                            .putInts(
                                    DicomTags.RECOMMENDED_DISPLAY_CIELAB_VALUE,
                                    "US",
                                    CieLab.toDicom(s.rgb()))
                            .putSequence(
                                    DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE,
                                    List.of(code(s.category())))
                            .putSequence(
                                    DicomTags.SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE,
                                    List.of(code(s.type())));
            if (!s.algorithmName().isEmpty()) {
                item.putString(DicomTags.SEGMENT_ALGORITHM_NAME, "LO", s.algorithmName());
            }
            items.add(item);
        }
        return items;
    }

    private static DicomWriter.Dataset dimension(
            String organization, int pointer, int group, String label) {
        return new DicomWriter.Dataset()
                .putString(DicomTags.DIMENSION_ORGANIZATION_UID, "UI", organization)
                .putInts(DicomTags.DIMENSION_INDEX_POINTER, "AT", pointer)
                .putInts(DicomTags.FUNCTIONAL_GROUP_POINTER, "AT", group)
                .putString(DicomTags.DIMENSION_DESCRIPTION_LABEL, "LO", label);
    }

    private static DicomWriter.Dataset shared(SliceGeometry g) {
        DicomWriter.Dataset orientation =
                new DicomWriter.Dataset()
                        .putDoubles(DicomTags.IMAGE_ORIENTATION_PATIENT, "DS", g.orientation());
        DicomWriter.Dataset measures =
                new DicomWriter.Dataset()
                        .putDoubles(DicomTags.PIXEL_SPACING, "DS", g.pixelSpacing())
                        .putDoubles(DicomTags.SLICE_THICKNESS, "DS", g.sliceSpacing())
                        .putDoubles(DicomTags.SPACING_BETWEEN_SLICES, "DS", g.sliceSpacing());
        return new DicomWriter.Dataset()
                .putSequence(DicomTags.PLANE_ORIENTATION_SEQUENCE, List.of(orientation))
                .putSequence(DicomTags.PIXEL_MEASURES_SEQUENCE, List.of(measures));
    }

    private static DicomWriter.Dataset perFrame(Frame f, ReferencedSeries source, SliceGeometry g) {
        DicomWriter.Dataset sourceImage =
                new DicomWriter.Dataset()
                        .putString(DicomTags.REFERENCED_SOP_CLASS_UID, "UI", source.sopClassUid())
                        .putString(
                                DicomTags.REFERENCED_SOP_INSTANCE_UID,
                                "UI",
                                source.sopInstanceUids().get(f.slice()))
                        .putString(DicomTags.SPATIAL_LOCATIONS_PRESERVED, "CS", "YES")
                        .putSequence(
                                DicomTags.PURPOSE_OF_REFERENCE_CODE_SEQUENCE,
                                List.of(code(SOURCE_IMAGE_PURPOSE)));
        DicomWriter.Dataset derivation =
                new DicomWriter.Dataset()
                        .putSequence(DicomTags.SOURCE_IMAGE_SEQUENCE, List.of(sourceImage))
                        .putSequence(
                                DicomTags.DERIVATION_CODE_SEQUENCE,
                                List.of(code(SEGMENTATION_DERIVATION)));
        DicomWriter.Dataset content =
                new DicomWriter.Dataset()
                        .putInts(
                                DicomTags.DIMENSION_INDEX_VALUES,
                                "UL",
                                f.segmentNumber(),
                                f.slice() + 1);
        DicomWriter.Dataset position =
                new DicomWriter.Dataset()
                        .putDoubles(DicomTags.IMAGE_POSITION_PATIENT, "DS", g.position(f.slice()));
        DicomWriter.Dataset segment =
                new DicomWriter.Dataset()
                        .putInts(DicomTags.REFERENCED_SEGMENT_NUMBER, "US", f.segmentNumber());
        return new DicomWriter.Dataset()
                .putSequence(DicomTags.DERIVATION_IMAGE_SEQUENCE, List.of(derivation))
                .putSequence(DicomTags.FRAME_CONTENT_SEQUENCE, List.of(content))
                .putSequence(DicomTags.PLANE_POSITION_SEQUENCE, List.of(position))
                .putSequence(DicomTags.SEGMENT_IDENTIFICATION_SEQUENCE, List.of(segment));
    }

    /**
     * The frames' pixels, 1 bit each, frames back to back with no padding between them; pixel
     * {@code n} of the whole stream is bit {@code n % 8} (least significant first) of byte {@code n
     * / 8} (PS3.5 8.1.1). Padded to an even length by the writer.
     */
    private static byte[] pack(
            Volume labels, List<Frame> frames, int[] values, int columns, int rows) {
        long perFrame = (long) columns * rows;
        long bits = perFrame * frames.size();
        if ((bits + 7) / 8 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "A SEG of " + frames.size() + " frames exceeds 2 GiB of pixel data");
        }
        byte[] out = new byte[(int) ((bits + 7) / 8)];
        long bit = 0;
        for (Frame f : frames) {
            int value = values[f.segmentNumber() - 1];
            long base = f.slice() * perFrame;
            for (long p = 0; p < perFrame; p++, bit++) {
                if (labels.get(base + p) == value) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
        return out;
    }
}
