package org.monailabel.engine.io.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;

/**
 * Assembles the single-frame instances of one series into a {@link Volume}. Thread-safe
 * (stateless).
 *
 * <p>Slices are sorted by their position along the slice normal (the cross product of the row and
 * column directions of {@code ImageOrientationPatient}), so file order and {@code InstanceNumber}
 * do not matter. The slice spacing comes from the positions, never from {@code SliceThickness}
 * (used only for a series of one slice), and must be even: a gap (a missing slice), two slices at
 * one position, uneven in-plane offsets, or slices of different orientation, size, pixel spacing,
 * pixel format or series are refused with an {@link InvalidImageException}. Slices offset within
 * the plane by the same step each (a gantry tilt) are kept on their exact, sheared grid.
 *
 * <p>Geometry: voxel {@code (i, j, k)} is column {@code i}, row {@code j} of the {@code k}-th
 * slice; the LPS affine has columns {@code row direction * PixelSpacing[1]}, {@code column
 * direction * PixelSpacing[0]}, the step between consecutive slice positions (not along the normal
 * when the gantry was tilted), and the first slice's {@code ImagePositionPatient}; it is flipped to
 * RAS ({@link Affine#flipXY()}).
 *
 * <p>Values: the modality rescale {@code stored * RescaleSlope + RescaleIntercept} (defaults 1 and
 * 0) is applied per slice. When every slice has slope 1 and intercept 0 the stored type is kept;
 * when every slope is 1 and every intercept a whole number the result is INT16 if the rescaled
 * values present fit, else INT32; otherwise FLOAT32.
 *
 * <p>Metadata keys: {@code format} ({@code dicom}), {@code dicom.series_instance_uid}, {@code
 * dicom.modality}, {@code dicom.slices}, and {@value ReferencedSeries#METADATA_KEY}: the {@link
 * ReferencedSeries#toMap()} form of the series' UIDs, each slice's SOP instance in volume slice
 * order, the patient and study attributes and the volume's grid (what a DICOM SEG of a label on
 * this volume needs; {@link ReferencedSeries#fromMap} restores it).
 */
public final class DicomSeries {
    /** Directions and spacings may differ by this much between slices (DICOM stores text). */
    static final double TOLERANCE = 1e-4;

    private final ReadOptions options;

    public DicomSeries() {
        this(ReadOptions.defaults());
    }

    public DicomSeries(ReadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Parses the files and assembles them. */
    public Volume read(List<Path> files) throws IOException {
        DicomParser parser = new DicomParser(options);
        List<DicomFile> parsed = new ArrayList<>();
        for (Path file : files) {
            parsed.add(parser.parse(file));
        }
        return assemble(parsed);
    }

    private record Slice(
            DicomFile file, double[] position, double distance, double slope, double intercept) {}

    /**
     * Assembles parsed instances of one series.
     *
     * @throws InvalidImageException if the list is empty or the instances do not form one evenly
     *     spaced stack of same-sized, same-oriented slices
     */
    public Volume assemble(List<DicomFile> files) throws InvalidImageException {
        if (files.isEmpty()) {
            throw new InvalidImageException("A DICOM series needs at least one instance");
        }
        DicomDataset first = files.get(0).dataset();
        double[] orientation = vector(first, DicomTags.IMAGE_ORIENTATION_PATIENT, 6, "0020,0037");
        double[] row = Arrays.copyOfRange(orientation, 0, 3);
        double[] column = Arrays.copyOfRange(orientation, 3, 6);
        if (Math.abs(norm(row) - 1) > 1e-3
                || Math.abs(norm(column) - 1) > 1e-3
                || Math.abs(dot(row, column)) > 1e-3) {
            throw new InvalidImageException(
                    "DICOM ImageOrientationPatient "
                            + Arrays.toString(orientation)
                            + " is not two orthogonal unit vectors");
        }
        double[] normal = cross(row, column);
        double[] spacing = vector(first, DicomTags.PIXEL_SPACING, 2, "0028,0030");
        if (!(spacing[0] > 0 && spacing[1] > 0)) {
            throw new InvalidImageException(
                    "DICOM PixelSpacing " + Arrays.toString(spacing) + " is not positive");
        }
        String series = first.string(DicomTags.SERIES_INSTANCE_UID).orElse("");
        DicomPixels firstPixels = null;
        List<Slice> slices = new ArrayList<>();
        for (DicomFile file : files) {
            DicomDataset ds = file.dataset();
            String uid = ds.string(DicomTags.SERIES_INSTANCE_UID).orElse("");
            if (!uid.equals(series)) {
                throw new InvalidImageException(
                        "DICOM instances of two series: '"
                                + DicomDataset.printable(series)
                                + "' and '"
                                + DicomDataset.printable(uid)
                                + "'");
            }
            same(
                    orientation,
                    vector(ds, DicomTags.IMAGE_ORIENTATION_PATIENT, 6, "0020,0037"),
                    "ImageOrientationPatient");
            same(spacing, vector(ds, DicomTags.PIXEL_SPACING, 2, "0028,0030"), "PixelSpacing");
            int frames = ds.intValue(DicomTags.NUMBER_OF_FRAMES).orElse(1);
            if (frames != 1) {
                throw new InvalidImageException(
                        "DICOM multi-frame instances (NumberOfFrames "
                                + frames
                                + ") are not supported in a series yet");
            }
            double[] position = vector(ds, DicomTags.IMAGE_POSITION_PATIENT, 3, "0020,0032");
            double slope = ds.doubleValue(DicomTags.RESCALE_SLOPE).orElse(1);
            double intercept = ds.doubleValue(DicomTags.RESCALE_INTERCEPT).orElse(0);
            if (slope == 0) {
                throw new InvalidImageException("DICOM RescaleSlope is 0");
            }
            slices.add(new Slice(file, position, dot(position, normal), slope, intercept));
        }
        slices.sort(Comparator.comparingDouble(Slice::distance));

        int n = slices.size();
        double[] step = new double[3];
        if (n == 1) {
            OptionalDouble thickness = first.doubleValue(DicomTags.SPACING_BETWEEN_SLICES);
            if (thickness.isEmpty()) {
                thickness = first.doubleValue(DicomTags.SLICE_THICKNESS);
            }
            double t = thickness.orElse(1);
            for (int a = 0; a < 3; a++) {
                step[a] = normal[a] * (t > 0 ? t : 1);
            }
        } else {
            double[] p0 = slices.get(0).position();
            double[] pn = slices.get(n - 1).position();
            for (int a = 0; a < 3; a++) {
                step[a] = (pn[a] - p0[a]) / (n - 1);
            }
            checkStack(slices, step, row, column, normal);
        }

        // pixels: same size and format everywhere, then rescaled into one buffer
        List<DicomPixels> pixels = new ArrayList<>();
        long storedBytes = 0;
        for (Slice s : slices) {
            DicomPixels p = DicomPixels.of(s.file(), options);
            if (firstPixels == null) {
                firstPixels = p;
            } else if (p.columns() != firstPixels.columns()
                    || p.rows() != firstPixels.rows()
                    || p.type() != firstPixels.type()) {
                throw new InvalidImageException(
                        "DICOM slices differ in size or pixel format: "
                                + describe(firstPixels)
                                + " and "
                                + describe(p));
            }
            pixels.add(p);
            storedBytes += p.data().remaining();
            if (storedBytes > options.maxVoxelBytes()) {
                throw new InvalidImageException(
                        "DICOM series exceeds the limit of "
                                + options.maxVoxelBytes()
                                + " bytes of voxel data");
            }
        }
        VoxelType type = outputType(slices, pixels);
        int columns = firstPixels.columns();
        int rows = firstPixels.rows();
        long total = (long) columns * rows * n * type.bytes();
        if (total > options.maxVoxelBytes()) {
            throw new InvalidImageException(
                    "DICOM series of "
                            + columns
                            + "x"
                            + rows
                            + "x"
                            + n
                            + " "
                            + type
                            + " voxels exceeds the limit of "
                            + options.maxVoxelBytes()
                            + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        int perSlice = columns * rows;
        for (int k = 0; k < n; k++) {
            copySlice(
                    pixels.get(k),
                    out,
                    k * perSlice,
                    perSlice,
                    type,
                    slices.get(k).slope(),
                    slices.get(k).intercept());
        }
        double[] p0 = slices.get(0).position();
        double[] m = {
            row[0] * spacing[1], column[0] * spacing[0], step[0], p0[0],
            row[1] * spacing[1], column[1] * spacing[0], step[1], p0[1],
            row[2] * spacing[1], column[2] * spacing[0], step[2], p0[2]
        };
        for (double x : m) {
            if (!Double.isFinite(x)) {
                throw new InvalidImageException(
                        "DICOM slice geometry overflows: " + Arrays.toString(m));
            }
        }
        Affine ras = Affine.of(m).flipXY();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "dicom");
        meta.put("dicom.series_instance_uid", series);
        meta.put("dicom.modality", first.string(DicomTags.MODALITY).orElse(""));
        meta.put("dicom.slices", n);
        VolumeGrid grid = new VolumeGrid(columns, rows, n, ras);
        meta.put(ReferencedSeries.METADATA_KEY, referencedSeries(slices, series, grid).toMap());
        return Volume.of(type, new int[] {columns, rows, n}, out, ras, meta);
    }

    /** The series' references, SOP instances in slice order. */
    private static ReferencedSeries referencedSeries(
            List<Slice> slices, String series, VolumeGrid grid) throws InvalidImageException {
        DicomDataset first = slices.get(0).file().dataset();
        List<String> instances = new ArrayList<>();
        for (Slice s : slices) {
            instances.add(s.file().dataset().string(DicomTags.SOP_INSTANCE_UID).orElse(""));
        }
        return new ReferencedSeries(
                first.string(DicomTags.STUDY_INSTANCE_UID).orElse(""),
                series,
                first.string(DicomTags.FRAME_OF_REFERENCE_UID).orElse(""),
                first.string(DicomTags.SOP_CLASS_UID).orElse(""),
                instances,
                ReferencedSeries.PatientStudy.of(first),
                grid);
    }

    /** Slices must be evenly spaced and stacked straight along the normal. */
    private static void checkStack(
            List<Slice> slices, double[] step, double[] row, double[] col, double[] normal)
            throws InvalidImageException {
        double gap = dot(step, normal); // the mean distance between slices along the normal
        if (gap < 1e-3) {
            throw new InvalidImageException(
                    "All " + slices.size() + " DICOM slices lie at one position");
        }
        double[] p0 = slices.get(0).position();
        double tolerance = Math.max(1e-3, 0.01 * gap);
        for (int k = 1; k < slices.size(); k++) {
            double[] p = slices.get(k).position();
            double d = slices.get(k).distance() - slices.get(k - 1).distance();
            if (d < 1e-3) {
                throw new InvalidImageException(
                        "Two DICOM slices lie at the same position " + Arrays.toString(p));
            }
            double[] offset = new double[3];
            for (int a = 0; a < 3; a++) {
                offset[a] = p[a] - p0[a] - k * step[a];
            }
            if (Math.abs(d - gap) > tolerance || norm(offset) > tolerance) {
                throw new InvalidImageException(
                        "DICOM slice spacing is uneven: "
                                + String.format(java.util.Locale.ROOT, "%.4g", d)
                                + " mm between the slices at "
                                + Arrays.toString(slices.get(k - 1).position())
                                + " and "
                                + Arrays.toString(p)
                                + " where "
                                + String.format(java.util.Locale.ROOT, "%.4g", gap)
                                + " mm is the mean (a missing slice, or a tilted or irregular"
                                + " series)");
            }
        }
        // a step with an in-plane part (gantry tilt) is kept: the affine is sheared, exact
    }

    /**
     * Writes one slice's rescaled values at voxel {@code base} of {@code out}: a plain copy when
     * nothing changes, integer arithmetic for a whole-number intercept, else floating point.
     */
    private static void copySlice(
            DicomPixels p,
            ByteBuffer out,
            int base,
            int count,
            VoxelType type,
            double slope,
            double intercept) {
        ByteBuffer in = p.data();
        int bytes = type.bytes();
        if (slope == 1 && intercept == 0 && p.type() == type) {
            out.put(base * bytes, in, 0, count * bytes); // absolute, as DicomPixels.get reads
            return;
        }
        boolean integral =
                slope == 1 && intercept == Math.rint(intercept) && !type.isFloatingPoint();
        int offset = (int) intercept;
        for (int i = 0; i < count; i++) {
            int stored =
                    switch (p.type()) {
                        case UINT8 -> in.get(i) & 0xFF;
                        case INT8 -> in.get(i);
                        case UINT16 -> Short.toUnsignedInt(in.getShort(2 * i));
                        default -> in.getShort(2 * i); // INT16
                    };
            int at = (base + i) * bytes;
            if (integral) {
                int v = stored + offset;
                switch (type) {
                    case UINT8, INT8 -> out.put(at, (byte) v);
                    case UINT16, INT16 -> out.putShort(at, (short) v);
                    default -> out.putInt(at, v); // INT32
                }
            } else {
                double v = stored * slope + intercept;
                switch (type) {
                    case UINT8, INT8 -> out.put(at, (byte) v);
                    case UINT16, INT16 -> out.putShort(at, (short) v);
                    case INT32 -> out.putInt(at, (int) v);
                    default -> out.putFloat(at, (float) v);
                }
            }
        }
    }

    private static VoxelType outputType(List<Slice> slices, List<DicomPixels> pixels) {
        boolean identity = true;
        boolean integral = true;
        for (Slice s : slices) {
            identity &= s.slope() == 1 && s.intercept() == 0;
            integral &= s.slope() == 1 && s.intercept() == Math.rint(s.intercept());
        }
        VoxelType stored = pixels.get(0).type();
        if (identity) {
            return stored;
        }
        if (integral) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < slices.size(); k++) {
                DicomPixels p = pixels.get(k);
                double intercept = slices.get(k).intercept();
                for (int y = 0; y < p.rows(); y++) {
                    for (int x = 0; x < p.columns(); x++) {
                        double v = p.get(x, y, 0) + intercept;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
            if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
                return VoxelType.INT16;
            }
            if (min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE) {
                return VoxelType.INT32;
            }
        }
        return VoxelType.FLOAT32;
    }

    private static String describe(DicomPixels p) {
        return p.columns() + "x" + p.rows() + " " + p.type();
    }

    private static double[] vector(DicomDataset ds, int tag, int size, String name)
            throws InvalidImageException {
        double[] v = ds.doubles(tag);
        if (v.length != size) {
            throw new InvalidImageException(
                    "DICOM (" + name + ") needs " + size + " values, the instance has " + v.length);
        }
        return v;
    }

    private static void same(double[] a, double[] b, String name) throws InvalidImageException {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > TOLERANCE) {
                throw new InvalidImageException(
                        "DICOM slices differ in "
                                + name
                                + ": "
                                + Arrays.toString(a)
                                + " and "
                                + Arrays.toString(b));
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {
            a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]
        };
    }
}
