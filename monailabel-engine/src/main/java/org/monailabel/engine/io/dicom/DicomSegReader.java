package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.nrrd.SlicerSegments;

/**
 * Reads a DICOM Segmentation (ours or another tool's: highdicom, dcmqi, ...) onto the voxel grid of
 * its source image. Thread-safe (stateless).
 *
 * <p>Placement: each frame is placed by the {@code ImagePositionPatient} of its {@code
 * PlanePositionSequence} (per-frame, else shared functional group), projected onto the target grid:
 * it must lie within {@value #POSITION_TOLERANCE} of a voxel of an integer slice inside the grid
 * and at column 0, row 0 of it (frames are whole slices; a frame's Rows and Columns must be the
 * grid's), with the frame's {@code ImageOrientationPatient} within {@value #ORIENTATION_TOLERANCE}
 * of the grid's row and column directions and its {@code PixelSpacing}, if given, within 0.1% of
 * the grid's. A frame without a plane position (or without an orientation to check it by) is placed
 * by the {@code ReferencedSOPInstanceUID} of its {@code DerivationImageSequence} source images,
 * looked up in the {@link ReferencedSeries}' slices. A frame that fits neither way is refused with
 * an {@link InvalidImageException} naming it.
 *
 * <p>Values: {@code BINARY} (1 bit per pixel, frames packed back to back, least significant bit
 * first) and {@code FRACTIONAL} (8 bits per pixel; a pixel belongs to the segment when at least
 * half of {@code MaximumFractionalValue}). The output holds each segment's number, or the label
 * value a caller's map gives it (segments the map leaves out are dropped); where segments overlap
 * the higher segment number wins. Every count is checked against the data before it is used: {@code
 * NumberOfFrames} against the per-frame functional groups, {@code Rows x Columns x NumberOfFrames}
 * at the bit depth against the pixel data's length (allowing only the one pad byte to an even
 * length), segment numbers against {@code SegmentSequence}.
 *
 * <p>Metadata of the output: {@code format} ({@code dicom-seg}), {@value SlicerSegments#LABELS}
 * (segment label to label value, as other label readers give it), {@code dicom.series_instance_uid}
 * and {@code dicom.sop_instance_uid} of the SEG.
 */
public final class DicomSegReader {
    /** How far (in voxels) a frame may lie from a slice of the grid, along every axis. */
    public static final double POSITION_TOLERANCE = 0.01;

    /** How far a frame's direction cosines may differ from the grid's. */
    public static final double ORIENTATION_TOLERANCE = 1e-3;

    private static final double SPACING_TOLERANCE = 1e-3;

    private final ReadOptions options;

    public DicomSegReader() {
        this(ReadOptions.defaults());
    }

    public DicomSegReader(ReadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * A SEG read onto a grid.
     *
     * @param labels the label volume, on exactly the target grid
     * @param segments the segments present in it, with {@link Segment#labelValue()} their value in
     *     {@code labels}, in segment number order
     */
    public record Result(Volume labels, List<Segment> segments) {
        public Result {
            Objects.requireNonNull(labels, "labels");
            segments = List.copyOf(segments);
        }

        /** Label value to segment label, in segment order. */
        public Map<Integer, String> labelNames() {
            Map<Integer, String> names = new LinkedHashMap<>();
            for (Segment s : segments) {
                names.put(s.labelValue(), s.label());
            }
            return names;
        }
    }

    /** Parses and reads a SEG file; see {@link #read(DicomFile, VolumeGrid, ReferencedSeries)}. */
    public Result read(Path file, VolumeGrid target, ReferencedSeries source) throws IOException {
        return read(new DicomParser(options).parse(file), target, source, null);
    }

    /**
     * Reads a SEG onto a grid, voxel values the segment numbers.
     *
     * @param source the source series, to place frames that have no plane position; may be null
     */
    public Result read(DicomFile seg, VolumeGrid target, ReferencedSeries source)
            throws InvalidImageException {
        return read(seg, target, source, null);
    }

    /**
     * Reads a SEG onto a grid.
     *
     * @param source the source series, to place frames that have no plane position and to check the
     *     frame of reference; may be null
     * @param labelValues segment number to output label value (positive); null for the segment
     *     numbers themselves. Segments it does not name are left out.
     * @throws InvalidImageException if the file is not a SEG this reader understands, its counts do
     *     not match its data, or a frame does not fit the grid
     */
    public Result read(
            DicomFile seg,
            VolumeGrid target,
            ReferencedSeries source,
            Map<Integer, Integer> labelValues)
            throws InvalidImageException {
        Objects.requireNonNull(seg, "seg");
        Objects.requireNonNull(target, "target");
        DicomDataset ds = seg.dataset();
        String sopClass = ds.string(DicomTags.SOP_CLASS_UID).orElse("");
        if (!DicomSegWriter.SEGMENTATION_STORAGE.equals(sopClass)) {
            throw new InvalidImageException(
                    "Not a DICOM Segmentation: SOPClassUID is '"
                            + DicomDataset.printable(sopClass)
                            + "', not "
                            + DicomSegWriter.SEGMENTATION_STORAGE);
        }
        if (source != null) {
            String own = ds.string(DicomTags.FRAME_OF_REFERENCE_UID).orElse("");
            String theirs = source.frameOfReferenceUid();
            if (!own.isEmpty() && !theirs.isEmpty() && !own.equals(theirs)) {
                throw new InvalidImageException(
                        "The SEG's FrameOfReferenceUID "
                                + DicomDataset.printable(own)
                                + " is not its image's ("
                                + DicomDataset.printable(theirs)
                                + "): their positions cannot be compared");
            }
        }
        List<DicomDataset> perFrame = ds.sequence(DicomTags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
        int frames =
                ds.intValue(DicomTags.NUMBER_OF_FRAMES)
                        .orElseThrow(() -> missing("NumberOfFrames (0028,0008)"));
        if (perFrame.size() != frames) {
            throw new InvalidImageException(
                    "DICOM SEG NumberOfFrames is "
                            + frames
                            + " but PerFrameFunctionalGroupsSequence has "
                            + perFrame.size()
                            + " items");
        }
        Pixels pixels = Pixels.of(ds, target);
        Map<Integer, Segment> segments = segments(ds);
        Map<Integer, Integer> values = values(segments, labelValues);
        List<DicomDataset> sharedItems = ds.sequence(DicomTags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
        if (sharedItems.size() > 1) {
            throw new InvalidImageException(
                    "DICOM SEG SharedFunctionalGroupsSequence has "
                            + sharedItems.size()
                            + " items, not one");
        }
        DicomDataset shared = sharedItems.isEmpty() ? null : sharedItems.get(0);
        Grid grid = new Grid(target);

        int[] frameSegment = new int[pixels.frames];
        int[] frameSlice = new int[pixels.frames];
        for (int f = 0; f < pixels.frames; f++) {
            DicomDataset item = perFrame.get(f);
            frameSegment[f] = segmentNumber(item, shared, f, segments);
            frameSlice[f] = place(item, shared, f, frameSegment[f], grid, source);
        }

        int max = 1;
        for (int v : values.values()) {
            max = Math.max(max, v);
        }
        VoxelType type =
                max <= 0xFF ? VoxelType.UINT8 : max <= 0xFFFF ? VoxelType.UINT16 : VoxelType.INT32;
        Volume out;
        try {
            out = Volume.allocate(type, target.affine(), target.shape());
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException(
                    "DICOM SEG target grid is too large: " + e.getMessage(), e);
        }
        Integer[] order = new Integer[pixels.frames];
        for (int f = 0; f < order.length; f++) {
            order[f] = f;
        }
        Arrays.sort(order, Comparator.comparingInt(f -> frameSegment[f])); // stable
        int perSlice = target.columns() * target.rows();
        for (int f : order) {
            Integer value = values.get(frameSegment[f]);
            if (value == null) {
                continue; // a segment the caller left out
            }
            long base = (long) frameSlice[f] * perSlice;
            for (int p = 0; p < perSlice; p++) {
                if (pixels.set(f, p)) {
                    out.set(base + p, value);
                }
            }
        }

        List<Segment> present = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Map.Entry<Integer, Segment> e : segments.entrySet()) {
            Integer value = values.get(e.getKey());
            if (value != null) {
                Segment s = e.getValue().withLabelValue(value);
                present.add(s);
                String name = s.label();
                for (int n = 2; names.containsKey(name); n++) {
                    name = s.label() + " (" + n + ")";
                }
                names.put(name, value);
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "dicom-seg");
        meta.put(SlicerSegments.LABELS, Collections.unmodifiableMap(names));
        meta.put("dicom.series_instance_uid", ds.string(DicomTags.SERIES_INSTANCE_UID).orElse(""));
        meta.put("dicom.sop_instance_uid", ds.string(DicomTags.SOP_INSTANCE_UID).orElse(""));
        return new Result(out.withMetadata(meta), present);
    }

    /** The decoded pixel data: which pixel of which frame is set. */
    private static final class Pixels {
        final int frames;
        final long perFrame;
        final boolean binary;
        final int threshold; // fractional: the least value that counts as inside
        final ByteBuffer data;

        private Pixels(int frames, long perFrame, boolean binary, int threshold, ByteBuffer data) {
            this.frames = frames;
            this.perFrame = perFrame;
            this.binary = binary;
            this.threshold = threshold;
            this.data = data;
        }

        boolean set(int frame, int pixel) {
            long i = frame * perFrame + pixel;
            if (binary) {
                return (data.get((int) (i >>> 3)) >> (i & 7) & 1) != 0;
            }
            return (data.get((int) i) & 0xFF) >= threshold;
        }

        static Pixels of(DicomDataset ds, VolumeGrid target) throws InvalidImageException {
            String type = ds.string(DicomTags.SEGMENTATION_TYPE).orElse("");
            boolean binary;
            if ("BINARY".equals(type)) {
                binary = true;
            } else if ("FRACTIONAL".equals(type)) {
                binary = false;
            } else {
                throw new InvalidImageException(
                        "DICOM SEG SegmentationType is '"
                                + DicomDataset.printable(type)
                                + "'; only BINARY and FRACTIONAL are read");
            }
            int samples = ds.intValue(DicomTags.SAMPLES_PER_PIXEL).orElse(1);
            String photometric =
                    ds.string(DicomTags.PHOTOMETRIC_INTERPRETATION).orElse("MONOCHROME2");
            int representation = ds.intValue(DicomTags.PIXEL_REPRESENTATION).orElse(0);
            if (samples != 1 || !"MONOCHROME2".equals(photometric) || representation != 0) {
                throw new InvalidImageException(
                        "DICOM SEG pixels must be unsigned MONOCHROME2 with one sample, not "
                                + DicomDataset.printable(photometric)
                                + " with "
                                + samples
                                + " samples, PixelRepresentation "
                                + representation);
            }
            int allocated =
                    ds.intValue(DicomTags.BITS_ALLOCATED)
                            .orElseThrow(() -> missing("BitsAllocated (0028,0100)"));
            int wanted = binary ? 1 : 8;
            if (allocated != wanted) {
                throw new InvalidImageException(
                        "DICOM SEG of type "
                                + type
                                + " has BitsAllocated "
                                + allocated
                                + "; "
                                + wanted
                                + " is required");
            }
            int threshold = 1;
            if (!binary) {
                int maxValue =
                        ds.intValue(DicomTags.MAXIMUM_FRACTIONAL_VALUE)
                                .orElseThrow(() -> missing("MaximumFractionalValue (0062,000E)"));
                if (maxValue < 1 || maxValue > 255) {
                    throw new InvalidImageException(
                            "DICOM SEG MaximumFractionalValue " + maxValue + " is not in 1..255");
                }
                threshold = (maxValue + 1) / 2; // value * 2 >= maxValue
            }
            int rows = ds.intValue(DicomTags.ROWS).orElseThrow(() -> missing("Rows (0028,0010)"));
            int columns =
                    ds.intValue(DicomTags.COLUMNS)
                            .orElseThrow(() -> missing("Columns (0028,0011)"));
            if (rows != target.rows() || columns != target.columns()) {
                throw new InvalidImageException(
                        "DICOM SEG frames are "
                                + columns
                                + "x"
                                + rows
                                + " (columns x rows) but the image's slices are "
                                + target.columns()
                                + "x"
                                + target.rows());
            }
            int frames =
                    ds.intValue(DicomTags.NUMBER_OF_FRAMES)
                            .orElseThrow(() -> missing("NumberOfFrames (0028,0008)"));
            if (frames < 1) {
                throw new InvalidImageException("DICOM SEG NumberOfFrames is " + frames);
            }
            DicomElement pixelData =
                    ds.element(DicomTags.PIXEL_DATA)
                            .orElseThrow(() -> missing("PixelData (7FE0,0010)"));
            if (pixelData.isSequence()) {
                throw new InvalidImageException(
                        "DICOM SEG PixelData is encapsulated; only native pixel data is read");
            }
            long perFrame = (long) rows * columns;
            long pixels = perFrame * frames;
            long bytes = binary ? (pixels + 7) / 8 : pixels;
            long padded = bytes + (bytes & 1);
            if (pixelData.length() != bytes && pixelData.length() != padded) {
                throw new InvalidImageException(
                        "DICOM SEG PixelData holds "
                                + pixelData.length()
                                + " bytes but "
                                + frames
                                + " frames of "
                                + columns
                                + "x"
                                + rows
                                + (binary ? " 1-bit" : " 8-bit")
                                + " pixels need "
                                + padded
                                + (binary ? " (packed back to back, padded to even)" : ""));
            }
            return new Pixels(frames, perFrame, binary, threshold, pixelData.buffer());
        }
    }

    /** The target grid's geometry, for projecting frame positions onto it. */
    private static final class Grid {
        final VolumeGrid target;
        final Affine inverse;
        final double[] row = new double[3]; // RAS unit direction of increasing column index
        final double[] column = new double[3];
        final double columnSpacing;
        final double rowSpacing;

        Grid(VolumeGrid target) {
            this.target = target;
            Affine a = target.affine();
            this.inverse = a.inverse();
            double[] s = a.spacing();
            columnSpacing = s[0];
            rowSpacing = s[1];
            for (int i = 0; i < 3; i++) {
                row[i] = a.get(i, 0) / s[0];
                column[i] = a.get(i, 1) / s[1];
            }
        }
    }

    private static Map<Integer, Segment> segments(DicomDataset ds) throws InvalidImageException {
        List<DicomDataset> items = ds.sequence(DicomTags.SEGMENT_SEQUENCE);
        if (items.isEmpty()) {
            throw new InvalidImageException("DICOM SEG has no SegmentSequence");
        }
        Map<Integer, Segment> segments = new java.util.TreeMap<>();
        for (DicomDataset item : items) {
            int number =
                    item.intValue(DicomTags.SEGMENT_NUMBER)
                            .orElseThrow(() -> missing("SegmentNumber (0062,0004) in a segment"));
            if (number < 1 || number > 0xFFFF) {
                throw new InvalidImageException(
                        "DICOM SEG SegmentNumber " + number + " is out of range");
            }
            String label = item.string(DicomTags.SEGMENT_LABEL).orElse("").strip();
            if (label.isEmpty()) {
                label = "Segment " + number;
            }
            if (label.length() > 64) {
                label = label.substring(0, 64);
            }
            Segment.AlgorithmType algorithm;
            try {
                algorithm =
                        Segment.AlgorithmType.valueOf(
                                item.string(DicomTags.SEGMENT_ALGORITHM_TYPE).orElse("AUTOMATIC"));
            } catch (IllegalArgumentException e) {
                algorithm = Segment.AlgorithmType.AUTOMATIC;
            }
            String algorithmName = item.string(DicomTags.SEGMENT_ALGORITHM_NAME).orElse("");
            if (algorithmName.length() > 64) {
                algorithmName = algorithmName.substring(0, 64);
            }
            if (algorithm != Segment.AlgorithmType.MANUAL && algorithmName.isBlank()) {
                algorithmName = "unknown";
            }
            int[] lab = item.ints(DicomTags.RECOMMENDED_DISPLAY_CIELAB_VALUE);
            int rgb =
                    lab.length == 3 && inRange(lab)
                            ? CieLab.toRgb(lab)
                            : Segment.defaultColor(number);
            Segment.Code category =
                    code(item, DicomTags.SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE)
                            .orElse(Segment.ANATOMICAL_STRUCTURE_CATEGORY);
            Segment.Code type =
                    code(item, DicomTags.SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE)
                            .orElse(Segment.ANATOMICAL_STRUCTURE);
            Segment s = new Segment(number, label, rgb, category, type, algorithm, algorithmName);
            if (segments.put(number, s) != null) {
                throw new InvalidImageException(
                        "DICOM SEG SegmentSequence has segment number " + number + " twice");
            }
        }
        return segments;
    }

    private static boolean inRange(int[] lab) {
        for (int v : lab) {
            if (v < 0 || v > 0xFFFF) {
                return false;
            }
        }
        return true;
    }

    /** A code sequence's first item, if it is a complete code that fits {@link Segment.Code}. */
    private static Optional<Segment.Code> code(DicomDataset item, int tag)
            throws InvalidImageException {
        List<DicomDataset> codes = item.sequence(tag);
        if (codes.isEmpty()) {
            return Optional.empty();
        }
        DicomDataset c = codes.get(0);
        Optional<String> value = c.string(DicomTags.CODE_VALUE);
        if (value.isEmpty()) {
            value = c.string(DicomTags.LONG_CODE_VALUE);
        }
        Optional<String> scheme = c.string(DicomTags.CODING_SCHEME_DESIGNATOR);
        Optional<String> meaning = c.string(DicomTags.CODE_MEANING);
        if (value.isEmpty() || scheme.isEmpty() || meaning.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Segment.Code(value.get(), scheme.get(), meaning.get()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Map<Integer, Integer> values(
            Map<Integer, Segment> segments, Map<Integer, Integer> labelValues) {
        Map<Integer, Integer> values = new HashMap<>();
        for (int number : segments.keySet()) {
            Integer v = labelValues == null ? Integer.valueOf(number) : labelValues.get(number);
            if (v != null) {
                if (v < 1) {
                    throw new IllegalArgumentException(
                            "Segment " + number + " cannot be given label value " + v);
                }
                values.put(number, v);
            }
        }
        return values;
    }

    /** A functional group's first item: from the frame's groups, else the shared ones. */
    private static DicomDataset group(DicomDataset frame, DicomDataset shared, int tag)
            throws InvalidImageException {
        List<DicomDataset> items = frame.sequence(tag);
        if (items.isEmpty() && shared != null) {
            items = shared.sequence(tag);
        }
        return items.isEmpty() ? null : items.get(0);
    }

    private static int segmentNumber(
            DicomDataset frame, DicomDataset shared, int f, Map<Integer, Segment> segments)
            throws InvalidImageException {
        DicomDataset id = group(frame, shared, DicomTags.SEGMENT_IDENTIFICATION_SEQUENCE);
        if (id == null || id.intValue(DicomTags.REFERENCED_SEGMENT_NUMBER).isEmpty()) {
            throw new InvalidImageException(
                    "DICOM SEG frame " + (f + 1) + " has no ReferencedSegmentNumber");
        }
        int number = id.intValue(DicomTags.REFERENCED_SEGMENT_NUMBER).getAsInt();
        if (!segments.containsKey(number)) {
            throw new InvalidImageException(
                    "DICOM SEG frame "
                            + (f + 1)
                            + " belongs to segment "
                            + number
                            + ", which SegmentSequence does not describe");
        }
        return number;
    }

    /** The target slice of frame {@code f} (0-based; messages count frames from 1). */
    private static int place(
            DicomDataset frame,
            DicomDataset shared,
            int f,
            int segment,
            Grid grid,
            ReferencedSeries source)
            throws InvalidImageException {
        String which = "DICOM SEG frame " + (f + 1) + " (segment " + segment + ")";
        DicomDataset orientation = group(frame, shared, DicomTags.PLANE_ORIENTATION_SEQUENCE);
        if (orientation != null) {
            checkOrientation(orientation.doubles(DicomTags.IMAGE_ORIENTATION_PATIENT), grid, which);
        }
        DicomDataset measures = group(frame, shared, DicomTags.PIXEL_MEASURES_SEQUENCE);
        if (measures != null) {
            double[] spacing = measures.doubles(DicomTags.PIXEL_SPACING);
            if (spacing.length == 2
                    && (relative(spacing[0], grid.rowSpacing) > SPACING_TOLERANCE
                            || relative(spacing[1], grid.columnSpacing) > SPACING_TOLERANCE)) {
                throw new InvalidImageException(
                        which
                                + " has PixelSpacing "
                                + Arrays.toString(spacing)
                                + " but the image's is ["
                                + grid.rowSpacing
                                + ", "
                                + grid.columnSpacing
                                + "]");
            }
        }
        DicomDataset position = group(frame, shared, DicomTags.PLANE_POSITION_SEQUENCE);
        double[] p =
                position == null
                        ? new double[0]
                        : position.doubles(DicomTags.IMAGE_POSITION_PATIENT);
        if (p.length == 3 && orientation != null) {
            double[] v = grid.inverse.apply(-p[0], -p[1], p[2]); // LPS to RAS, then to voxels
            int k = (int) Math.rint(v[2]);
            if (Math.abs(v[0]) > POSITION_TOLERANCE || Math.abs(v[1]) > POSITION_TOLERANCE) {
                throw new InvalidImageException(
                        which
                                + " at ImagePositionPatient "
                                + Arrays.toString(p)
                                + " is offset within the image plane by "
                                + format(v[0])
                                + " columns and "
                                + format(v[1])
                                + " rows; frames must cover whole slices of the image");
            }
            if (Math.abs(v[2] - k) > POSITION_TOLERANCE) {
                throw new InvalidImageException(
                        which
                                + " at ImagePositionPatient "
                                + Arrays.toString(p)
                                + " lies between the image's slices (at slice "
                                + format(v[2])
                                + ")");
            }
            if (k < 0 || k >= grid.target.slices()) {
                throw new InvalidImageException(
                        which
                                + " at ImagePositionPatient "
                                + Arrays.toString(p)
                                + " lies at slice "
                                + k
                                + ", outside the image's "
                                + grid.target.slices()
                                + " slices");
            }
            return k;
        }
        if (p.length != 0 && p.length != 3) {
            throw new InvalidImageException(
                    which + " has an ImagePositionPatient of " + p.length + " values, not 3");
        }
        return bySourceImage(frame, shared, which, source);
    }

    private static int bySourceImage(
            DicomDataset frame, DicomDataset shared, String which, ReferencedSeries source)
            throws InvalidImageException {
        if (source == null) {
            throw new InvalidImageException(
                    which
                            + " has no plane position and orientation, and no source series was"
                            + " given to place it by its source image");
        }
        int found = -1;
        List<DicomDataset> derivations = frame.sequence(DicomTags.DERIVATION_IMAGE_SEQUENCE);
        if (derivations.isEmpty() && shared != null) {
            derivations = shared.sequence(DicomTags.DERIVATION_IMAGE_SEQUENCE);
        }
        for (DicomDataset derivation : derivations) {
            for (DicomDataset image : derivation.sequence(DicomTags.SOURCE_IMAGE_SEQUENCE)) {
                Optional<String> uid = image.string(DicomTags.REFERENCED_SOP_INSTANCE_UID);
                int k = uid.isEmpty() ? -1 : source.sopInstanceUids().indexOf(uid.get());
                if (k >= 0) {
                    if (found >= 0 && found != k) {
                        throw new InvalidImageException(
                                which
                                        + " has no plane position and derives from two slices ("
                                        + found
                                        + " and "
                                        + k
                                        + ") of the source series");
                    }
                    found = k;
                }
            }
        }
        if (found < 0) {
            throw new InvalidImageException(
                    which
                            + " has no plane position and none of its source images is a slice of"
                            + " series "
                            + DicomDataset.printable(source.seriesInstanceUid()));
        }
        return found;
    }

    private static void checkOrientation(double[] o, Grid grid, String which)
            throws InvalidImageException {
        if (o.length != 6) {
            throw new InvalidImageException(
                    which + " has an ImageOrientationPatient of " + o.length + " values, not 6");
        }
        double[] row = {-o[0], -o[1], o[2]}; // LPS to RAS
        double[] column = {-o[3], -o[4], o[5]};
        double rn = Math.sqrt(row[0] * row[0] + row[1] * row[1] + row[2] * row[2]);
        double cn =
                Math.sqrt(column[0] * column[0] + column[1] * column[1] + column[2] * column[2]);
        double worst = Double.POSITIVE_INFINITY;
        if (rn > 0 && cn > 0) {
            worst = 0;
            for (int i = 0; i < 3; i++) {
                worst = Math.max(worst, Math.abs(row[i] / rn - grid.row[i]));
                worst = Math.max(worst, Math.abs(column[i] / cn - grid.column[i]));
            }
        }
        if (worst > ORIENTATION_TOLERANCE) {
            double[] lps = {
                -grid.row[0],
                -grid.row[1],
                grid.row[2],
                -grid.column[0],
                -grid.column[1],
                grid.column[2]
            };
            throw new InvalidImageException(
                    which
                            + " has ImageOrientationPatient "
                            + Arrays.toString(o)
                            + " but the image's is "
                            + Arrays.toString(lps)
                            + "; a SEG is read only onto the grid it was drawn on");
        }
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static InvalidImageException missing(String name) {
        return new InvalidImageException("DICOM SEG has no " + name);
    }
}
