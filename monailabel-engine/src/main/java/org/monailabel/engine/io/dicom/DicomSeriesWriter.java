package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.monailabel.api.image.Volume;

/**
 * Writes a 3-D integer volume as a series of single-frame CT Image Storage instances (PS3.3 A.3),
 * one file per slice, in explicit VR little endian. Thread-safe (immutable).
 *
 * <p>Values: stored as signed 16-bit ({@code PixelRepresentation 1}) when they all fit {@code
 * -32768..32767}, else as unsigned 16-bit when they fit {@code 0..65535}, with {@code RescaleSlope
 * 1}, {@code RescaleIntercept 0} and {@code RescaleType HU}; other values and floating-point
 * volumes are refused ({@link IllegalArgumentException}).
 *
 * <p>Geometry: slice {@code k} is voxels {@code (i, j, k)}; its {@code ImagePositionPatient} is the
 * affine's voxel {@code (0, 0, k)}, {@code ImageOrientationPatient} the unit directions of the
 * first two affine columns, {@code PixelSpacing} their lengths (rows, then columns) and {@code
 * SliceThickness} the slice step, all converted from RAS to LPS. The grid must not be sheared and
 * its slices must be stacked along the normal of its rows and columns. {@link DicomSeries} reads
 * the series back to the same voxels and affine when the slice step points along row x column
 * direction (a right-handed LPS grid, as DICOM converters write it); for a grid whose step points
 * the other way it reads the same voxels in reverse slice order (the same world positions).
 *
 * <p>All instances share one new Series Instance UID and the Study Instance UID and Frame of
 * Reference UID of the {@link Options} (new ones when those are empty), and carry its patient and
 * study attributes.
 */
public final class DicomSeriesWriter {
    /** CT Image Storage. */
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HHmmss.SSSSSS", Locale.ROOT);

    private final Options options;

    public DicomSeriesWriter(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * What the series is written with.
     *
     * @param studyInstanceUid the study to add the series to; {@code ""} for a new study
     * @param frameOfReferenceUid the frame of reference of the volume's world coordinates; {@code
     *     ""} for a new one
     * @param patientStudy the patient and study attributes (with their {@code
     *     SpecificCharacterSet}) every instance carries
     */
    public record Options(
            String studyInstanceUid,
            String frameOfReferenceUid,
            ReferencedSeries.PatientStudy patientStudy,
            String seriesDescription,
            int seriesNumber,
            String manufacturer,
            Clock clock) {
        public Options {
            Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
            Objects.requireNonNull(frameOfReferenceUid, "frameOfReferenceUid");
            Objects.requireNonNull(patientStudy, "patientStudy");
            Objects.requireNonNull(seriesDescription, "seriesDescription");
            Objects.requireNonNull(manufacturer, "manufacturer");
            Objects.requireNonNull(clock, "clock");
            if (!studyInstanceUid.isEmpty()) {
                DicomUids.requireValid(studyInstanceUid, "StudyInstanceUID");
            }
            if (!frameOfReferenceUid.isEmpty()) {
                DicomUids.requireValid(frameOfReferenceUid, "FrameOfReferenceUID");
            }
        }

        /** A new study and frame of reference, the given patient and study attributes. */
        public static Options of(ReferencedSeries.PatientStudy patientStudy) {
            return new Options(
                    "",
                    "",
                    patientStudy,
                    "MONAI Label",
                    1,
                    "MONAI Label",
                    Clock.systemDefaultZone());
        }

        public Options withStudy(String study, String frameOfReference) {
            return new Options(
                    study,
                    frameOfReference,
                    patientStudy,
                    seriesDescription,
                    seriesNumber,
                    manufacturer,
                    clock);
        }

        public Options withSeries(String description, int number) {
            return new Options(
                    studyInstanceUid,
                    frameOfReferenceUid,
                    patientStudy,
                    description,
                    number,
                    manufacturer,
                    clock);
        }
    }

    /**
     * Writes the volume's slices into {@code dir} (created if missing) as {@code slice0000.dcm},
     * {@code slice0001.dcm}, ... (each file written atomically) and returns the series' references:
     * its UIDs, the SOP instance of each slice in slice order and the volume's grid.
     */
    public ReferencedSeries write(Volume volume, Path dir) throws IOException {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(dir, "dir");
        if (volume.type().isFloatingPoint()) {
            throw new IllegalArgumentException(
                    "A CT series is written from an integer volume, not " + volume.type());
        }
        VolumeGrid grid = VolumeGrid.of(volume);
        if (grid.columns() > 0xFFFF || grid.rows() > 0xFFFF) {
            throw new IllegalArgumentException(
                    "A DICOM image has at most 65535 rows and columns, not "
                            + grid.columns()
                            + "x"
                            + grid.rows());
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < volume.voxelCount(); i++) {
            double v = volume.get(i);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        boolean signed;
        if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
            signed = true;
        } else if (min >= 0 && max <= 0xFFFF) {
            signed = false;
        } else {
            throw new IllegalArgumentException(
                    "Values "
                            + min
                            + ".."
                            + max
                            + " do not fit 16-bit CT pixels (signed or unsigned)");
        }
        SliceGeometry plane = SliceGeometry.of(grid.affine());

        ZonedDateTime now = ZonedDateTime.now(options.clock());
        String date = DATE.format(now);
        String time = TIME.format(now);
        String study =
                options.studyInstanceUid().isEmpty()
                        ? DicomUids.create()
                        : options.studyInstanceUid();
        String frameOfReference =
                options.frameOfReferenceUid().isEmpty()
                        ? DicomUids.create()
                        : options.frameOfReferenceUid();
        String series = DicomUids.create();
        ReferencedSeries.PatientStudy ps = options.patientStudy();

        Files.createDirectories(dir);
        List<String> instances = new ArrayList<>();
        int perSlice = grid.columns() * grid.rows();
        for (int k = 0; k < grid.slices(); k++) {
            String sop = DicomUids.create();
            instances.add(sop);
            DicomWriter.Dataset ds = new DicomWriter.Dataset();
            ds.putString(DicomTags.SOP_CLASS_UID, "UI", CT_IMAGE_STORAGE);
            ds.putString(DicomTags.SOP_INSTANCE_UID, "UI", sop);
            ds.putString(DicomTags.INSTANCE_CREATION_DATE, "DA", date);
            ds.putString(DicomTags.INSTANCE_CREATION_TIME, "TM", time);
            if (!ps.specificCharacterSet().isEmpty()) {
                ds.putString(
                        DicomTags.SPECIFIC_CHARACTER_SET,
                        "CS",
                        ps.specificCharacterSet().split("\\\\"));
            }
            ds.putString(DicomTags.PATIENT_NAME, "PN", ps.patientName());
            ds.putString(DicomTags.PATIENT_ID, "LO", ps.patientId());
            ds.putString(DicomTags.PATIENT_BIRTH_DATE, "DA", ps.patientBirthDate());
            ds.putString(DicomTags.PATIENT_SEX, "CS", ps.patientSex());
            ds.putString(DicomTags.STUDY_INSTANCE_UID, "UI", study);
            ds.putString(DicomTags.STUDY_DATE, "DA", ps.studyDate());
            ds.putString(DicomTags.STUDY_TIME, "TM", ps.studyTime());
            ds.putString(DicomTags.REFERRING_PHYSICIAN_NAME, "PN", ps.referringPhysicianName());
            ds.putString(DicomTags.STUDY_ID, "SH", ps.studyId());
            ds.putString(DicomTags.ACCESSION_NUMBER, "SH", ps.accessionNumber());
            if (!ps.studyDescription().isEmpty()) {
                ds.putString(DicomTags.STUDY_DESCRIPTION, "LO", ps.studyDescription());
            }
            ds.putString(DicomTags.MODALITY, "CS", "CT");
            ds.putString(DicomTags.SERIES_INSTANCE_UID, "UI", series);
            ds.putInts(DicomTags.SERIES_NUMBER, "IS", options.seriesNumber());
            if (!options.seriesDescription().isEmpty()) {
                ds.putString(DicomTags.SERIES_DESCRIPTION, "LO", options.seriesDescription());
            }
            ds.putString(DicomTags.MANUFACTURER, "LO", options.manufacturer());
            ds.putString(DicomTags.FRAME_OF_REFERENCE_UID, "UI", frameOfReference);
            ds.putString(DicomTags.POSITION_REFERENCE_INDICATOR, "LO");
            ds.putInts(DicomTags.INSTANCE_NUMBER, "IS", k + 1);
            ds.putString(DicomTags.CONTENT_DATE, "DA", date);
            ds.putString(DicomTags.CONTENT_TIME, "TM", time);
            ds.putString(DicomTags.IMAGE_TYPE, "CS", "DERIVED", "SECONDARY", "AXIAL");
            ds.putString(DicomTags.KVP, "DS");
            ds.putString(DicomTags.ACQUISITION_NUMBER, "IS");
            ds.putDoubles(DicomTags.IMAGE_POSITION_PATIENT, "DS", plane.position(k));
            ds.putDoubles(DicomTags.IMAGE_ORIENTATION_PATIENT, "DS", plane.orientation());
            ds.putDoubles(DicomTags.PIXEL_SPACING, "DS", plane.pixelSpacing());
            ds.putDoubles(DicomTags.SLICE_THICKNESS, "DS", plane.sliceSpacing());
            ds.putDoubles(DicomTags.SLICE_LOCATION, "DS", plane.location(k));
            ds.putInts(DicomTags.SAMPLES_PER_PIXEL, "US", 1);
            ds.putString(DicomTags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
            ds.putInts(DicomTags.ROWS, "US", grid.rows());
            ds.putInts(DicomTags.COLUMNS, "US", grid.columns());
            ds.putInts(DicomTags.BITS_ALLOCATED, "US", 16);
            ds.putInts(DicomTags.BITS_STORED, "US", 16);
            ds.putInts(DicomTags.HIGH_BIT, "US", 15);
            ds.putInts(DicomTags.PIXEL_REPRESENTATION, "US", signed ? 1 : 0);
            ds.putDoubles(DicomTags.RESCALE_INTERCEPT, "DS", 0);
            ds.putDoubles(DicomTags.RESCALE_SLOPE, "DS", 1);
            ds.putString(DicomTags.RESCALE_TYPE, "LO", "HU");
            ByteBuffer pixels = ByteBuffer.allocate(2 * perSlice).order(ByteOrder.LITTLE_ENDIAN);
            long base = (long) k * perSlice;
            for (int p = 0; p < perSlice; p++) {
                pixels.putShort((short) (int) volume.get(base + p));
            }
            ds.putBytes(DicomTags.PIXEL_DATA, "OW", pixels.array());
            DicomWriter.write(ds, dir.resolve(String.format(Locale.ROOT, "slice%04d.dcm", k)));
        }
        return new ReferencedSeries(
                study, series, frameOfReference, CT_IMAGE_STORAGE, instances, ps, grid);
    }
}
