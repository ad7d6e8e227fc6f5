package org.monailabel.engine.io.nrrd;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.internal.VoxelStreams;

/**
 * Reads NRRD images ({@code .nrrd} with attached data, {@code .nhdr} with a detached data file)
 * with raw or gzip encoding, either endianness, and Slicer segmentations ({@code .seg.nrrd}).
 * Thread-safe.
 *
 * <p>The volume's affine is in RAS (LPS and LAS headers are converted, see {@link NrrdGeometry}); a
 * non-spatial axis becomes the fourth axis (interleaved data is reordered so that channels vary
 * slowest). A Slicer segmentation ({@code Segment<N>_*} keys) becomes a label map with {@link
 * SlicerSegments#LABELS} and {@link SlicerSegments#SEGMENTS} metadata; multi-layer files are merged
 * into one label map. Other metadata: {@code format} = {@code nrrd}, {@code nrrd.space}, and {@code
 * nrrd.keyvalues} (all {@code key:=value} pairs).
 *
 * <p>Detached data files must be given relative to the header's folder and stay inside it.
 */
public final class NrrdReader {
    private final ReadOptions options;

    public NrrdReader() {
        this(ReadOptions.defaults());
    }

    public NrrdReader(ReadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Reads a {@code .nrrd}, {@code .seg.nrrd} or {@code .nhdr} file. */
    public Volume read(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 8192)) {
            NrrdHeader header = NrrdHeaderParser.parse(in);
            String dataFile = header.dataFile().orElse(null);
            if (dataFile == null) {
                return read(header, in, Files.size(path) - header.length());
            }
            Path data = detached(path, dataFile);
            try (InputStream din = new BufferedInputStream(Files.newInputStream(data), 8192)) {
                return read(header, din, Files.size(data));
            }
        }
    }

    /**
     * Reads a NRRD file with attached data from a stream, which is not closed.
     *
     * @param length bytes in the stream, or -1 if unknown
     */
    public Volume read(InputStream stream, long length) throws IOException {
        InputStream in = new BufferedInputStream(stream, 8192);
        NrrdHeader header = NrrdHeaderParser.parse(in);
        if (header.dataFile().isPresent()) {
            throw new InvalidImageException(
                    "NRRD header refers to a detached data file; read it from a path");
        }
        return read(header, in, length < 0 ? -1 : length - header.length());
    }

    private static Path detached(Path header, String name) throws InvalidImageException {
        String n = name.trim();
        if (n.startsWith("LIST") || n.contains("%")) {
            throw new InvalidImageException("NRRD data split over several files is not supported");
        }
        Path dir = header.toAbsolutePath().getParent();
        Path data;
        try {
            data = dir.resolve(n).normalize();
        } catch (InvalidPathException e) {
            throw new InvalidImageException("NRRD data file name is not a valid path", e);
        }
        if (n.isEmpty() || Path.of(n).isAbsolute() || !data.startsWith(dir) || data.equals(dir)) {
            throw new InvalidImageException("NRRD data file must be inside the header's folder");
        }
        return data;
    }

    private Volume read(NrrdHeader header, InputStream in, long available) throws IOException {
        if (!header.attached() && header.dataFile().isEmpty()) {
            throw new InvalidImageException(
                    "NRRD header does not end with a blank line and has no data file");
        }
        VoxelType type = header.type();
        int dimension = header.dimension();
        long[] sizes = header.sizes(dimension);
        long bytes = VoxelStreams.voxelBytes(sizes, type.bytes(), options.maxVoxelBytes(), "NRRD");
        boolean gzip = header.encoding().equals("gzip");
        ByteOrder order = header.endian();
        NrrdGeometry geometry = NrrdGeometry.of(header, dimension, sizes);
        long lineSkip = header.longField("line skip", "lineskip", 0);
        long byteSkip = header.longField("byte skip", "byteskip", 0);
        if (lineSkip < 0 || byteSkip < -1 || (byteSkip == -1 && (gzip || available < 0))) {
            throw new InvalidImageException(
                    "NRRD line skip " + lineSkip + " / byte skip " + byteSkip + " not usable");
        }
        if (byteSkip == -1) {
            byteSkip = available - bytes;
            if (byteSkip < 0 || lineSkip > 0) {
                throw new InvalidImageException(
                        "NRRD data file is shorter than the " + bytes + " bytes declared");
            }
        }
        VoxelStreams.checkAvailable(byteSkip, bytes, available, gzip, "NRRD");
        InputStream data = gzip ? VoxelStreams.gunzip(in) : in;
        ByteBuffer buffer;
        try {
            skipLines(data, lineSkip);
            VoxelStreams.skipFully(data, byteSkip, "NRRD data");
            buffer = VoxelStreams.readVoxels(data, bytes, order, "NRRD voxel data");
        } finally {
            if (gzip) {
                data.close(); // frees the inflater; the caller's stream stays open
            }
        }
        if (geometry.channelAxis() == 0) {
            buffer = deinterleave(buffer, type.bytes(), geometry.shape()[3]);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "nrrd");
        meta.put("nrrd.space", geometry.space());
        meta.put("nrrd.keyvalues", new LinkedHashMap<>(header.keyValues()));
        Volume volume = Volume.of(type, geometry.shape(), buffer, geometry.affine(), meta);
        return SlicerSegments.isSegmentation(header.keyValues())
                ? SlicerSegments.toLabelMap(volume, header.keyValues())
                : volume;
    }

    private static void skipLines(InputStream in, long lines) throws IOException {
        for (long i = 0; i < lines; i++) {
            int b;
            do {
                b = in.read();
            } while (b >= 0 && b != '\n');
            if (b < 0) {
                throw new InvalidImageException("NRRD data ends while skipping lines");
            }
        }
    }

    /** (c, x, y, z) with c fastest to (x, y, z, c) with c slowest. */
    private static ByteBuffer deinterleave(ByteBuffer in, int size, int channels) {
        byte[] src = in.array();
        byte[] dst = new byte[src.length];
        int voxels = src.length / size / channels;
        for (int v = 0; v < voxels; v++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(
                        src, (v * channels + c) * size, dst, (c * voxels + v) * size, size);
            }
        }
        return ByteBuffer.wrap(dst).order(in.order());
    }
}
