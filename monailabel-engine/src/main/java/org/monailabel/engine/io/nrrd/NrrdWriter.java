package org.monailabel.engine.io.nrrd;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ParallelGzipOutputStream;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.internal.VoxelStreams;

/**
 * Writes a {@link Volume} as a NRRD file with attached, little-endian data, raw or gzip-encoded
 * ({@link WriteOptions#nrrdGzip()}), in {@code left-posterior-superior} space as ITK and Slicer
 * write it. A fourth axis is written last with kind {@code list}. Files named {@code *.seg.nrrd}
 * are written as single-layer Slicer segmentations ({@link SlicerSegments}). Thread-safe.
 */
public final class NrrdWriter {
    private final WriteOptions options;

    public NrrdWriter() {
        this(WriteOptions.defaults());
    }

    public NrrdWriter(WriteOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Writes a {@code .nrrd} file, or a Slicer segmentation if the name ends in {@code .seg.nrrd}.
     */
    public void write(Volume volume, Path path) throws IOException {
        boolean segmentation =
                path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".seg.nrrd");
        try (OutputStream out = Files.newOutputStream(path)) {
            if (segmentation) {
                writeSegmentation(volume, out);
            } else {
                write(volume, out, Map.of());
            }
        }
    }

    /**
     * Writes a single-layer Slicer segmentation: a 3-D label map of an integer type.
     *
     * @throws IllegalArgumentException if the volume has channels or a floating-point type
     */
    public void writeSegmentation(Volume labels, OutputStream out) throws IOException {
        if (labels.channels() > 1 || labels.type().isFloatingPoint()) {
            throw new IllegalArgumentException(
                    "A segmentation must be a 3-D integer label map, got " + labels);
        }
        write(labels, out, SlicerSegments.keyValues(labels));
    }

    /** Writes the volume with extra {@code key:=value} pairs; the stream is closed when done. */
    public void write(Volume volume, OutputStream stream, Map<String, String> keyValues)
            throws IOException {
        OutputStream buffered = new BufferedOutputStream(stream, 1 << 16);
        buffered.write(header(volume, keyValues).getBytes(StandardCharsets.UTF_8));
        try (OutputStream out =
                options.nrrdGzip()
                        ? new ParallelGzipOutputStream(
                                buffered, options.gzipLevel(), options.threads())
                        : buffered) {
            VoxelStreams.writeData(volume, out, ByteOrder.LITTLE_ENDIAN);
        }
    }

    String header(Volume volume, Map<String, String> keyValues) {
        boolean channels = volume.channels() > 1;
        Affine lps = volume.affine().flipXY();
        StringBuilder h = new StringBuilder("NRRD0004\n");
        h.append("# Complete NRRD file format specification at:\n");
        h.append("# http://teem.sourceforge.net/nrrd/format.html\n");
        h.append("type: ").append(typeName(volume.type())).append('\n');
        h.append("dimension: ").append(channels ? 4 : 3).append('\n');
        h.append("space: left-posterior-superior\n");
        h.append("sizes: ")
                .append(volume.sizeX())
                .append(' ')
                .append(volume.sizeY())
                .append(' ')
                .append(volume.sizeZ())
                .append(channels ? " " + volume.channels() : "")
                .append('\n');
        h.append("space directions:");
        for (int c = 0; c < 3; c++) {
            h.append(" (")
                    .append(number(lps.get(0, c)))
                    .append(',')
                    .append(number(lps.get(1, c)))
                    .append(',')
                    .append(number(lps.get(2, c)))
                    .append(')');
        }
        h.append(channels ? " none\n" : "\n");
        h.append("kinds: domain domain domain").append(channels ? " list\n" : "\n");
        h.append("endian: little\n");
        h.append("encoding: ").append(options.nrrdGzip() ? "gzip" : "raw").append('\n');
        h.append("space origin: (")
                .append(number(lps.get(0, 3)))
                .append(',')
                .append(number(lps.get(1, 3)))
                .append(',')
                .append(number(lps.get(2, 3)))
                .append(")\n");
        for (Map.Entry<String, String> e : keyValues.entrySet()) {
            h.append(NrrdHeaderParser.escape(e.getKey().replace(":=", ": =")))
                    .append(":=")
                    .append(NrrdHeaderParser.escape(e.getValue()))
                    .append('\n');
        }
        return h.append('\n').toString();
    }

    /** The shortest decimal that reads back as the same double, without exponent. */
    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        String s = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return s;
    }

    private static String typeName(VoxelType type) {
        return switch (type) {
            case INT8 -> "signed char";
            case UINT8 -> "unsigned char";
            case INT16 -> "short";
            case UINT16 -> "unsigned short";
            case INT32 -> "int";
            case UINT32 -> "unsigned int";
            case INT64 -> "long long int";
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
        };
    }
}
